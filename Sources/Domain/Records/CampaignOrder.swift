import Foundation

/// An order of a package revision by one local entity.
public struct CampaignOrder: Sendable, Equatable {
    public var id: Int
    public var entityID: Int
    public var entityCode: String
    public var packageID: Int
    public var revision: Int
    public var label: String
    public var comment: String
    public var parameters: [String: JSONValue]
    public var status: OrderStatus
    public var version: Int
    public var createdAt: Date
    public var createdBy: String
    public var updatedAt: Date
    public var updatedBy: String
    public var decidedAt: Date?
    public var decidedBy: String?
    public var decisionComment: String?
    public var cancelledAt: Date?
    public var cancelledBy: String?
    public var cancelComment: String?
    public var cancelReason: String?

    public init(
        id: Int, entityID: Int, entityCode: String, packageID: Int, revision: Int, label: String,
        comment: String, parameters: [String: JSONValue], status: OrderStatus, version: Int, createdAt: Date,
        createdBy: String, updatedAt: Date, updatedBy: String, decidedAt: Date?, decidedBy: String?,
        decisionComment: String?, cancelledAt: Date?, cancelledBy: String?, cancelComment: String?,
        cancelReason: String?
    ) {
        self.id = id
        self.entityID = entityID
        self.entityCode = entityCode
        self.packageID = packageID
        self.revision = revision
        self.label = label
        self.comment = comment
        self.parameters = parameters
        self.status = status
        self.version = version
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.decidedAt = decidedAt
        self.decidedBy = decidedBy
        self.decisionComment = decisionComment
        self.cancelledAt = cancelledAt
        self.cancelledBy = cancelledBy
        self.cancelComment = cancelComment
        self.cancelReason = cancelReason
    }
}

/// A local entity (branch, agency, franchisee).
public struct LocalEntity: Sendable, Equatable {
    public var id: Int
    public var code: String
    public var label: String
    public var createdAt: Date
    /// Groups such as `north` or `franchise` (sorted, no duplicates).
    public var tags: [String]
    /// A disabled entity's tokens and operators answer 401; it cannot order.
    public var disabled: Bool

    public init(id: Int, code: String, label: String, createdAt: Date, tags: [String] = [], disabled: Bool = false) {
        self.id = id
        self.code = code
        self.label = label
        self.createdAt = createdAt
        self.tags = tags
        self.disabled = disabled
    }
}

import Foundation

/// A person or program that signs in or holds tokens: a central operator with its role,
/// or a local operator of one entity.
public struct OperatorAccount: Sendable, Equatable {
    public var id: Int
    public var name: String
    public var role: OperatorRole
    /// The entity of a local operator.
    public var entityCode: String?
    public var displayName: String?
    public var disabled: Bool
    public var hasPassword: Bool
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: Int, name: String, role: OperatorRole, entityCode: String?, displayName: String?, disabled: Bool,
        hasPassword: Bool, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.name = name
        self.role = role
        self.entityCode = entityCode
        self.displayName = displayName
        self.disabled = disabled
        self.hasPassword = hasPassword
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A bearer token as an admin lists it: whose it is and when it was used, never its secret.
public struct TokenRecord: Sendable, Equatable {
    public enum OwnerKind: String, Sendable, Codable, CaseIterable {
        case `operator`
        case entity
    }

    public var id: Int
    public var ownerKind: OwnerKind
    /// The operator's name or the entity's code.
    public var owner: String
    public var label: String?
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    public init(
        id: Int, ownerKind: OwnerKind, owner: String, label: String?, createdAt: Date, lastUsedAt: Date?, revokedAt: Date?
    ) {
        self.id = id
        self.ownerKind = ownerKind
        self.owner = owner
        self.label = label
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }
}

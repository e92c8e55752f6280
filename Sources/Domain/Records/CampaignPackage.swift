import Foundation

/// A campaign package as stored: what the central entity publishes in the catalogue.
public struct CampaignPackage: Sendable, Equatable {
    public var id: Int
    public var label: String
    public var type: PackageType
    public var description: String
    public var campaignName: String
    public var campaignFolder: String
    /// Entity codes of the audience; `nil` means every local entity (and no tags).
    public var audience: [String]?
    /// Entity tags: the audience also holds every entity carrying one of them.
    public var audienceTags: [String]
    /// The revision whose listed or tagged audience was frozen at its publication
    /// (`local.package_offers`); `nil` before a publication.
    public var offeredRevision: Int?
    public var approvalMode: ApprovalMode
    public var allowsSeveralOrders: Bool
    public var schedule: PackageSchedule
    public var settings: [String: JSONValue]
    /// What an entity fills in when it orders; empty: free `parameters`.
    public var orderForm: OrderForm
    public var status: PackageStatus
    public var revision: Int
    public var version: Int
    /// A cancel or reinitialize job accepted and not yet applied.
    public var pendingJobID: Int?
    public var createdAt: Date
    public var createdBy: String
    public var updatedAt: Date
    public var updatedBy: String
    public var lastAction: PackageLastAction?
    /// Operator names that alone (with admins) may approve or reject it; empty: any approver.
    public var reviewers: [String]
    /// The actor who submitted the current revision (four eyes), `nil` before a submission.
    public var submittedBy: String?

    public init(
        id: Int, label: String, type: PackageType, description: String, campaignName: String,
        campaignFolder: String, audience: [String]?, approvalMode: ApprovalMode, allowsSeveralOrders: Bool,
        schedule: PackageSchedule, settings: [String: JSONValue], status: PackageStatus, revision: Int,
        version: Int, pendingJobID: Int?, createdAt: Date, createdBy: String, updatedAt: Date,
        updatedBy: String, lastAction: PackageLastAction?, reviewers: [String] = [], submittedBy: String? = nil,
        audienceTags: [String] = [], offeredRevision: Int? = nil, orderForm: OrderForm = OrderForm()
    ) {
        self.orderForm = orderForm
        self.audienceTags = audienceTags
        self.offeredRevision = offeredRevision
        self.id = id
        self.label = label
        self.type = type
        self.description = description
        self.campaignName = campaignName
        self.campaignFolder = campaignFolder
        self.audience = audience
        self.approvalMode = approvalMode
        self.allowsSeveralOrders = allowsSeveralOrders
        self.schedule = schedule
        self.settings = settings
        self.status = status
        self.revision = revision
        self.version = version
        self.pendingJobID = pendingJobID
        self.createdAt = createdAt
        self.createdBy = createdBy
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
        self.lastAction = lastAction
        self.reviewers = reviewers
        self.submittedBy = submittedBy
    }

    /// Whether the package has an audience a collaborative package may be submitted with.
    public var hasAudience: Bool { audience.map { !$0.isEmpty || !audienceTags.isEmpty } ?? true }

    /// Whether the current revision's audience is frozen (it was published with a listed
    /// or tagged audience): then `local.package_offers` says who it was offered to.
    public var audienceIsFrozen: Bool { audience != nil && offeredRevision == revision }
}

/// Who cancelled or reinitialized a package last, when and why.
public struct PackageLastAction: Sendable, Equatable {
    public var action: String
    public var at: Date
    public var by: String
    public var comment: String?

    public init(action: String, at: Date, by: String, comment: String?) {
        self.action = action
        self.at = at
        self.by = by
        self.comment = comment
    }
}

/// The fields of a package a central operator writes (create, and edit with a partial patch).
public struct PackageDraft: Sendable, Equatable {
    public var label: String
    public var type: PackageType
    public var description: String
    public var campaignName: String
    public var campaignFolder: String
    /// Entity codes; `nil` with no `audienceTags` means every local entity.
    public var audience: [String]?
    public var audienceTags: [String]
    public var approvalMode: ApprovalMode
    public var allowsSeveralOrders: Bool
    public var schedule: PackageSchedule
    public var settings: [String: JSONValue]
    public var reviewers: [String]
    public var orderForm: OrderForm

    public init(
        label: String, type: PackageType, description: String = "", campaignName: String,
        campaignFolder: String, audience: [String]? = nil, approvalMode: ApprovalMode = .manual,
        allowsSeveralOrders: Bool = false, schedule: PackageSchedule = PackageSchedule(),
        settings: [String: JSONValue] = [:], reviewers: [String] = [], audienceTags: [String] = [],
        orderForm: OrderForm = OrderForm()
    ) {
        self.orderForm = orderForm
        self.audienceTags = audienceTags
        self.label = label
        self.type = type
        self.description = description
        self.campaignName = campaignName
        self.campaignFolder = campaignFolder
        self.audience = audience
        self.approvalMode = approvalMode
        self.allowsSeveralOrders = allowsSeveralOrders
        self.schedule = schedule
        self.settings = settings
        self.reviewers = reviewers
    }

    public init(_ package: CampaignPackage) {
        self.init(
            label: package.label, type: package.type, description: package.description,
            campaignName: package.campaignName, campaignFolder: package.campaignFolder, audience: package.audience,
            approvalMode: package.approvalMode, allowsSeveralOrders: package.allowsSeveralOrders,
            schedule: package.schedule, settings: package.settings, reviewers: package.reviewers,
            audienceTags: package.audienceTags, orderForm: package.orderForm)
    }

    /// Every local entity: no list and no tags.
    public var audienceIsEveryone: Bool { audience == nil && audienceTags.isEmpty }
}

/// Where a campaign package stands in its life cycle.
///
/// The raw values are the stored and HTTP spellings. See
/// ``applying(_:type:hasAudience:)`` for the allowed transitions.
public enum PackageStatus: String, Codable, Sendable, CaseIterable {
    case beingEdited = "being_edited"
    case pendingApproval = "pending_approval"
    case approved
    case rejected
    case published
    case cancelled
}

extension PackageStatus {
    /// The status as the subject of a sentence: "a package being edited", "an approved package".
    var sentencePhrase: String {
        switch self {
        case .beingEdited: "a package being edited"
        case .pendingApproval: "a package pending approval"
        case .approved: "an approved package"
        case .rejected: "a rejected package"
        case .published: "a published package"
        case .cancelled: "a cancelled package"
        }
    }
}

/// What a central operator (or the scheduler, for `publish`) can do to a campaign package.
///
/// Creation is not an action: a new package always starts ``PackageStatus/beingEdited``.
public enum PackageAction: String, Codable, Sendable, CaseIterable {
    case edit
    case submit
    case approve
    case reject
    case publish
    case cancel
    case reinitialize
}

extension PackageAction {
    /// The action in a passive sentence: "cannot be submitted".
    var pastParticiple: String {
        switch self {
        case .edit: "edited"
        case .submit: "submitted"
        case .approve: "approved"
        case .reject: "rejected"
        case .publish: "published"
        case .cancel: "cancelled"
        case .reinitialize: "reinitialized"
        }
    }
}

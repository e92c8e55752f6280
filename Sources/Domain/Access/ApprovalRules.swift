/// Who may approve or reject a package: never the operator who submitted it (four
/// eyes, unless the daemon allows self-approval), and only its reviewers, or an admin,
/// when it names some.
public enum ApprovalRules {
    public enum Refusal: Error, Equatable, Sendable {
        /// The decider submitted the package.
        case fourEyes(submittedBy: String)
        /// The package names reviewers and the decider is neither one of them nor an admin.
        case notAReviewer(reviewers: [String])
    }

    /// `nil` when `decider` may approve or reject a package submitted by `submittedBy`
    /// (an actor name) that names `reviewers`.
    public static func check(
        decider: Principal, submittedBy: String?, reviewers: [String], allowSelfApproval: Bool
    ) -> Refusal? {
        if case .system = decider { return nil }
        if !allowSelfApproval, let submittedBy, submittedBy == decider.actorName {
            return .fourEyes(submittedBy: submittedBy)
        }
        if !reviewers.isEmpty, decider.operatorRole != .admin,
            !(decider.operatorName.map(reviewers.contains) ?? false)
        {
            return .notAReviewer(reviewers: reviewers)
        }
        return nil
    }
}

extension PackageStatus {
    /// The status after `action`, or the refusal.
    ///
    /// `hasAudience` matters only when a collaborative package is submitted: its audience
    /// must be an explicit non-empty list of entities or "all", which the caller computes.
    public func applying(
        _ action: PackageAction, type: PackageType, hasAudience: Bool
    ) -> Result<PackageStatus, TransitionRefusal> {
        guard let target = target(of: action) else {
            return .failure(TransitionRefusal(
                from: rawValue,
                action: action.rawValue,
                reason: "\(sentencePhrase) cannot be \(action.pastParticiple)"))
        }
        if action == .submit, type == .collaborative, !hasAudience {
            return .failure(TransitionRefusal(
                from: rawValue,
                action: action.rawValue,
                reason: "a collaborative package needs an audience before it is submitted",
                cause: .missingAudience))
        }
        return .success(target)
    }

    /// Statuses from which `action` is allowed (ignoring the audience rule), for error messages and docs.
    ///
    /// In declaration order of ``PackageStatus``.
    public static func sources(of action: PackageAction) -> [PackageStatus] {
        allCases.filter { $0.target(of: action) != nil }
    }

    /// The one table of package transitions: the status `action` leads to, or nil when refused.
    private func target(of action: PackageAction) -> PackageStatus? {
        switch (self, action) {
        case (.beingEdited, .edit), (.rejected, .edit): .beingEdited
        case (.beingEdited, .submit): .pendingApproval
        case (.pendingApproval, .approve): .approved
        case (.pendingApproval, .reject): .rejected
        case (.approved, .publish): .published
        case (.published, .cancel), (.approved, .cancel), (.pendingApproval, .cancel),
             (.beingEdited, .cancel), (.rejected, .cancel):
            .cancelled
        case (.published, .reinitialize), (.cancelled, .reinitialize): .beingEdited
        default: nil
        }
    }
}

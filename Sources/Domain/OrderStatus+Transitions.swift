extension OrderStatus {
    /// Initial status of a new order: approved at once when the package's approval mode is automatic.
    public static func initial(for mode: ApprovalMode) -> OrderStatus {
        switch mode {
        case .manual: .pendingApproval
        case .automatic: .approved
        }
    }

    /// The status after `action` by `role`, or the refusal.
    ///
    /// When nobody may take `action` from this status the refusal's cause is
    /// ``TransitionRefusal/Cause/status``; when someone else could, it is
    /// ``TransitionRefusal/Cause/role``.
    public func applying(_ action: OrderAction, by role: ActorRole) -> Result<OrderStatus, TransitionRefusal> {
        guard let rule = rule(for: action) else {
            return .failure(TransitionRefusal(
                from: rawValue,
                action: action.rawValue,
                reason: "\(sentencePhrase) cannot be \(action.pastParticiple)"))
        }
        guard rule.roles.contains(role) else {
            return .failure(TransitionRefusal(
                from: rawValue,
                action: action.rawValue,
                reason: roleReason(for: action, allowed: rule.roles),
                cause: .role))
        }
        return .success(rule.target)
    }

    /// The one table of order transitions: who may take `action` from here, and where it leads.
    private func rule(for action: OrderAction) -> (roles: Set<ActorRole>, target: OrderStatus)? {
        switch (self, action) {
        case (.pendingApproval, .edit): ([.central, .local], .pendingApproval)
        case (.approved, .edit): ([.central], .approved)
        case (.pendingApproval, .approve): ([.central], .approved)
        case (.pendingApproval, .reject): ([.central], .rejected)
        case (.pendingApproval, .cancel), (.approved, .cancel), (.rejected, .cancel): ([.central, .local], .cancelled)
        default: nil
        }
    }

    /// "only the central entity can approve an order"; names the status when it is what
    /// restricts the roles ("only the central entity can edit an approved order").
    private func roleReason(for action: OrderAction, allowed roles: Set<ActorRole>) -> String {
        let who = roles == [.central] ? "the central entity" : "a local entity"
        let object = switch action {
        case .edit: sentencePhrase
        case .approve, .reject, .cancel: "an order"
        }
        return "only \(who) can \(action.rawValue) \(object)"
    }
}

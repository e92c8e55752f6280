/// What a person or program of the head office may do (`../shared/API.md`, "Operators,
/// roles and sessions"), or, for `local`, which entity it acts as.
public enum OperatorRole: String, Sendable, Codable, CaseIterable {
    /// Reads everything central.
    case viewer
    /// A viewer that also creates, edits and submits packages, edits orders and
    /// registers processes.
    case editor
    /// A viewer that also approves, rejects, publishes, cancels and reinitializes
    /// packages, decides and cancels orders and retries jobs.
    case approver
    /// Everything, plus operators, entities and tokens.
    case admin
    /// A person of one local entity: acts as that entity.
    case local

    /// Whether a central operator of this role may do what `minimum` may.
    public func covers(_ minimum: OperatorRole) -> Bool {
        switch (self, minimum) {
        case (.local, _), (_, .local): false
        case (.admin, _): true
        case (_, .viewer): true
        default: self == minimum
        }
    }
}

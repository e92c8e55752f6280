import Domain

/// Why a store operation changed nothing. The HTTP layer maps each case to a status
/// and a stable problem code.
public enum StoreError: Error, Sendable, Equatable {
    /// No such resource (or not one the principal may see).
    case notFound(String)
    /// The action is not allowed from the current status.
    case invalidTransition(TransitionRefusal)
    /// The input breaks a rule.
    case validation(ValidationFailure)
    /// The request conflicts with the current state (duplicate code, pending job, ...).
    case conflict(code: String, message: String)
    /// `If-Match` names a version that is no longer current.
    case staleVersion(current: Int)
    /// The principal may not do this.
    case forbidden(String)
}

/// Why a transition is refused: stable machine code + human message.
///
/// ``from`` and ``action`` are raw values (`"published"`, `"submit"`), so an HTTP
/// problem document can carry them as they are; ``reason`` is a sentence for people.
public struct TransitionRefusal: Error, Equatable, Sendable, CustomStringConvertible {
    /// What made the transition impossible.
    public enum Cause: String, Codable, Sendable, CaseIterable {
        /// The action is not allowed from the current status, whoever asks.
        case status
        /// The action is allowed from this status, but not for this actor.
        case role
        /// A collaborative package cannot be submitted without an audience.
        case missingAudience = "missing_audience"
    }

    /// The raw value of the status the transition started from.
    public let from: String
    /// The raw value of the refused action.
    public let action: String
    /// A human sentence, e.g. "a published package cannot be submitted".
    public let reason: String
    /// What made the transition impossible.
    public let cause: Cause

    public init(from: String, action: String, reason: String, cause: Cause = .status) {
        self.from = from
        self.action = action
        self.reason = reason
        self.cause = cause
    }

    public var description: String { reason }
}

/// Where a local entity's order of a campaign package stands.
///
/// The raw values are the stored and HTTP spellings. See ``applying(_:by:)`` for the
/// allowed transitions and ``initial(for:)`` for the status of a new order.
public enum OrderStatus: String, Codable, Sendable, CaseIterable {
    case pendingApproval = "pending_approval"
    case approved
    case rejected
    case cancelled
}

extension OrderStatus {
    /// The status as the subject of a sentence: "an order pending approval", "a rejected order".
    var sentencePhrase: String {
        switch self {
        case .pendingApproval: "an order pending approval"
        case .approved: "an approved order"
        case .rejected: "a rejected order"
        case .cancelled: "a cancelled order"
        }
    }
}

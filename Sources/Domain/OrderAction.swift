/// What can be done to an existing order.
///
/// Placing an order is not an action: see ``OrderStatus/initial(for:)``.
public enum OrderAction: String, Codable, Sendable, CaseIterable {
    case edit
    case approve
    case reject
    case cancel
}

extension OrderAction {
    /// The action in a passive sentence: "cannot be approved".
    var pastParticiple: String {
        switch self {
        case .edit: "edited"
        case .approve: "approved"
        case .reject: "rejected"
        case .cancel: "cancelled"
        }
    }
}

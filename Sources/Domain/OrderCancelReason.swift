/// Why an order was cancelled: the `cancel_reason` of `local.orders`.
public enum OrderCancelReason: String, Sendable, Codable, CaseIterable {
    case cancelledByCentral = "cancelled_by_central"
    case cancelledByEntity = "cancelled_by_entity"
    /// The package was cancelled (its cancel job).
    case packageCancelled = "package_cancelled"
    /// The package was reinitialized: pending orders of earlier revisions end.
    case packageReinitialized = "package_reinitialized"
}

/// What happened to a local entity: the `kind` of a notification row.
public enum NotificationKind: String, Sendable, Codable, CaseIterable {
    case packageAvailable = "package_available"
    case packageCancelled = "package_cancelled"
    case packageReinitialized = "package_reinitialized"
    case orderApproved = "order_approved"
    case orderRejected = "order_rejected"
    case orderCancelled = "order_cancelled"
    /// The order deadline of a package the entity has not ordered is near (`--reminder-lead`).
    case orderDeadlineNear = "order_deadline_near"
}

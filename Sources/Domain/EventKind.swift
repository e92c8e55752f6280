/// What happened that the central entity should know: the `kind` of a central event
/// (`GET /v1/events`, admin webhooks).
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case packageSubmitted = "package_submitted"
    case orderPlaced = "order_placed"
    case orderEdited = "order_edited"
    case orderDeadlineReached = "order_deadline_reached"
    case approvalReminder = "approval_reminder"
    case packageLate = "package_late"
    case jobFailed = "job_failed"
    case webhookDisabled = "webhook_disabled"
}

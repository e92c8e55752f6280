import Domain
import Foundation
import Logging
import Store

/// `deadline_reminder`: one reminder of an order or approval deadline, when it comes
/// (``Reminders`` queues them, `PackageRepository` keeps them in step with the dates).
/// Idempotent twice over: a reminder whose package moved on (another revision, another
/// deadline, a status it no longer concerns) does nothing, and its notifications and
/// event carry the reminder's key, so a rerun writes nothing twice.
public struct DeadlineReminderJob: JobHandler {
    public init() {}
    public var kind: JobKind { .deadlineReminder }

    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let effects = try await apply(job, in: transaction)
        logger.info("deadline reminder", metadata: effects.metadata)
    }

    public func apply(_ job: Job, in transaction: StoreTransaction) async throws -> JobEffects {
        let request = try job.payload(as: ReminderRequest.self)
        guard let packageID = job.packageID, let package = try await transaction.packages.find(packageID),
            package.revision == job.revision
        else { return .nothing }
        let (deadline, status): (Date?, PackageStatus) =
            switch request.reminder {
            case .orderDeadlineNear, .orderDeadlineReached: (package.schedule.orderDeadline, .published)
            case .approvalReminder, .packageLate: (package.schedule.approvalDeadline, .pendingApproval)
            }
        guard package.status == status, request.isDeadline(deadline), let deadline else { return .nothing }
        let key = job.uniqueKey ?? "\(JobKind.deadlineReminder):\(job.id)"
        let when = RFC3339.format(deadline)
        var effects = JobEffects(applied: true)
        switch request.reminder {
        case .orderDeadlineNear:
            effects.notificationsWritten = try await transaction.notifications.write(
                entities: PackageRepository.audienceWithoutOrder(of: package), kind: .orderDeadlineNear,
                packageID: package.id, orderID: nil, revision: package.revision,
                comment: "the order deadline is \(when)", eventKey: key)
        case .orderDeadlineReached:
            try await transaction.events.record(
                .orderDeadlineReached, packageID: package.id, comment: "the order deadline was \(when)", eventKey: key)
        case .approvalReminder:
            try await transaction.events.record(
                .approvalReminder, packageID: package.id,
                operator: package.reviewers.isEmpty ? nil : package.reviewers.joined(separator: ","),
                comment: "the approval deadline is \(when)", eventKey: key)
        case .packageLate:
            try await transaction.events.record(
                .packageLate, packageID: package.id, operator: package.submittedBy,
                comment: "the approval deadline was \(when) and the package is still pending", eventKey: key)
        }
        return effects
    }
}

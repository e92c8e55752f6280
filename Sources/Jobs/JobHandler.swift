import Domain
import Logging
import Store

/// The work of one job kind: one type per kind, one file each.
///
/// `run` applies the job's effects inside `transaction`; the engine marks the job
/// succeeded in that same transaction, so effects and completion commit together or not
/// at all. A handler must be idempotent: running it again for a job whose effects are
/// already applied changes nothing.
public protocol JobHandler: Sendable {
    var kind: JobKind { get }
    func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws
}

/// What a job's effects did, for its journal entry, its log line and tests.
public struct JobEffects: Sendable, Equatable {
    /// False when there was nothing left to do (the job already ran, or was superseded).
    public var applied: Bool
    public var ordersCancelled = 0
    public var processesStopped = 0
    public var notificationsWritten = 0

    public static let nothing = JobEffects(applied: false)

    var metadata: Logger.Metadata {
        [
            "applied": "\(applied)", "orders_cancelled": "\(ordersCancelled)",
            "processes_stopped": "\(processesStopped)", "notifications": "\(notificationsWritten)",
        ]
    }
}

extension Array where Element == any JobHandler {
    /// The handlers campaignd runs.
    public static var standard: [any JobHandler] {
        [CancelPackageJob(), ReinitializePackageJob(), PublishPackageJob(), BulkOrdersJob(), DeadlineReminderJob(), NoopJob()]
    }
}

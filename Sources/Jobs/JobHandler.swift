import Logging
import Store

/// The work of one job kind.
///
/// `run` applies the job's effects inside `transaction`; the engine marks the job
/// succeeded in that same transaction, so effects and completion commit together or not
/// at all. A handler must be idempotent: running it again for a job whose effects are
/// already applied changes nothing.
public protocol JobHandler: Sendable {
    var kind: String { get }
    func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws
}

/// `cancel_package`: see SPEC.md, "Cancel".
public struct CancelPackageJob: JobHandler {
    public init() {}
    public var kind: String { "cancel_package" }
    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let effects = try await transaction.jobEffects.cancel(job)
        logger.info("package cancelled", metadata: effects.metadata)
    }
}

/// `reinitialize_package`: see SPEC.md, "Reinitialize".
public struct ReinitializePackageJob: JobHandler {
    public init() {}
    public var kind: String { "reinitialize_package" }
    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let effects = try await transaction.jobEffects.reinitialize(job)
        logger.info("package reinitialized", metadata: effects.metadata)
    }
}

/// `publish_package`: an approved package is published when its `available_at` comes.
public struct PublishPackageJob: JobHandler {
    public init() {}
    public var kind: String { "publish_package" }
    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let effects = try await transaction.jobEffects.publish(job)
        logger.info("scheduled publication", metadata: effects.metadata)
    }
}

/// `noop`: does nothing; measures the queue itself (benchmarks).
public struct NoopJob: JobHandler {
    public init() {}
    public var kind: String { "noop" }
    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {}
}

extension JobEffects {
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
        [CancelPackageJob(), ReinitializePackageJob(), PublishPackageJob(), NoopJob()]
    }
}

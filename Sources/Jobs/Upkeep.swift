import Logging
import ServiceLifecycle
import Store

/// How long finished work and read notifications are kept.
public struct RetentionOptions: Sendable {
    /// Finished jobs older than this are deleted.
    public var jobs: Duration
    /// Acknowledged notifications older than this are deleted.
    public var acknowledgedNotifications: Duration
    /// Any notification older than this is deleted, acknowledged or not.
    public var notificationExpiry: Duration
    /// Time between two rounds.
    public var interval: Duration

    public init(
        jobs: Duration = .seconds(7 * 86_400), acknowledgedNotifications: Duration = .seconds(7 * 86_400),
        notificationExpiry: Duration = .seconds(90 * 86_400), interval: Duration = .seconds(60)
    ) {
        self.jobs = jobs
        self.acknowledgedNotifications = acknowledgedNotifications
        self.notificationExpiry = notificationExpiry
        self.interval = interval
    }
}

/// Prunes old jobs, notifications and idempotency keys, in small batches (each its own
/// short transaction, so no long lock is ever held).
public struct Upkeep: Service {
    let store: Store
    let options: RetentionOptions
    let logger: Logger

    public init(store: Store, options: RetentionOptions, logger: Logger) {
        self.store = store
        self.options = options
        self.logger = logger
    }

    public func run() async throws {
        // Cancelled, rather than left to finish its sleep, when the daemon shuts down.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await runOnce()
                } catch {
                    logger.warning("upkeep failed; will retry", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: options.interval)
            }
        }
    }

    /// One round: batches until each table has nothing left to prune.
    public func runOnce() async throws {
        var jobs = 0
        var notifications = 0
        while !Task.isCancelled {
            let deleted = try await store.transaction { transaction in
                try await transaction.idempotency.prune(batch: 1000)
                try await PasswordCheck.prune(on: transaction.connection)
                return try await transaction.queue.prune(retention: options.jobs, batch: 1000)
            }
            jobs += deleted
            if deleted < 1000 { break }
        }
        while !Task.isCancelled {
            let deleted = try await store.transaction {
                try await $0.notificationFeed.prune(
                    retention: options.acknowledgedNotifications, expiry: options.notificationExpiry, batch: 5000)
            }
            notifications += deleted
            if deleted < 5000 { break }
        }
        // Central events are kept as long as notifications; finished deliveries as long as jobs.
        var events = 0
        while !Task.isCancelled {
            let deleted = try await store.transaction { transaction in
                try await transaction.eventFeed.prune(expiry: options.notificationExpiry, batch: 5000)
                    + transaction.webhooks.pruneDeliveries(retention: options.jobs, batch: 5000)
            }
            events += deleted
            if deleted < 5000 { break }
        }
        if jobs + notifications + events > 0 {
            logger.info(
                "pruned old rows",
                metadata: ["jobs": "\(jobs)", "notifications": "\(notifications)", "events_and_deliveries": "\(events)"])
        }
    }
}

import Domain
import Logging
import Store

/// `cancel_package` (SPEC.md, "Cancel"): a local package's pending orders are cancelled
/// and their entities told; a collaborative package's orders of the current revision are
/// all cancelled, its reference campaign cancelled, its processes stopped, and every
/// concerned entity told once. One transaction; idempotent (the package must still point
/// at this job, and notification rows carry event keys).
public struct CancelPackageJob: JobHandler {
    public init() {}
    public var kind: JobKind { .cancelPackage }

    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let effects = try await apply(job, in: transaction)
        logger.info("package cancelled", metadata: effects.metadata)
    }

    /// The effects, in `transaction`.
    public func apply(_ job: Job, in transaction: StoreTransaction) async throws -> JobEffects {
        guard let package = try await transaction.packages.pendingAction(of: job) else { return .nothing }
        let request = try job.payload(as: PackageActionRequest.self)
        var effects = JobEffects(applied: true)

        // Local package: pending orders are cancelled, approved ones stay.
        // Collaborative package: every order of the current revision is cancelled.
        let statuses: [OrderStatus] = package.type == .local ? [.pendingApproval] : [.pendingApproval, .approved, .rejected]
        effects.ordersCancelled = try await transaction.orders.cancelAll(
            packageID: package.id, revisions: package.revision...package.revision, statuses: statuses,
            reason: .packageCancelled, comment: request.comment, actor: request.requestedBy)
        if package.type == .collaborative {
            try await transaction.processes.setReferenceCampaign(of: package.id, to: .cancelled)
            effects.processesStopped = try await transaction.processes.stopAll(packageID: package.id, archive: false)
        }
        let after = try await transaction.packages.finish(.cancel, of: package, comment: request.comment, by: request.requestedBy)
        try await PackageActionJournal(transaction: transaction).record(
            .cancel, before: package, after: after, request: request, job: job, effects: effects)

        // Last: notification writers take the feed's lock until commit.
        if package.type == .local {
            effects.notificationsWritten = try await transaction.notifications.notifyCancelledOrders(
                packageID: package.id, revision: package.revision, reason: .packageCancelled, comment: request.comment)
        } else {
            effects.notificationsWritten = try await transaction.notifications.notifyConcerned(
                by: package, kind: .packageCancelled, comment: request.comment,
                eventKey: "\(NotificationKind.packageCancelled.rawValue):\(package.id):\(package.revision)")
        }
        return effects
    }
}

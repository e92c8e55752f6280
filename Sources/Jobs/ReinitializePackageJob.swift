import Domain
import Logging
import Store

/// `reinitialize_package` (SPEC.md, "Reinitialize"): the package goes back to
/// `being_edited` as a new revision; pending orders of this and earlier revisions are
/// cancelled and their entities told, approved ones stay as history; a collaborative
/// package's reference campaign goes back to `being_edited` and its processes are
/// archived. One transaction; idempotent as ``CancelPackageJob``.
public struct ReinitializePackageJob: JobHandler {
    public init() {}
    public var kind: JobKind { .reinitializePackage }

    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let effects = try await apply(job, in: transaction)
        logger.info("package reinitialized", metadata: effects.metadata)
    }

    /// The effects, in `transaction`.
    public func apply(_ job: Job, in transaction: StoreTransaction) async throws -> JobEffects {
        guard let package = try await transaction.packages.pendingAction(of: job) else { return .nothing }
        let request = try job.payload(as: PackageActionRequest.self)
        var effects = JobEffects(applied: true)

        effects.ordersCancelled = try await transaction.orders.cancelAll(
            packageID: package.id, revisions: 1...package.revision, statuses: [.pendingApproval],
            reason: .packageReinitialized, comment: request.comment, actor: request.requestedBy)
        if package.type == .collaborative {
            try await transaction.processes.setReferenceCampaign(of: package.id, to: .beingEdited)
            effects.processesStopped = try await transaction.processes.stopAll(packageID: package.id, archive: true)
        }
        let after = try await transaction.packages.finish(
            .reinitialize, of: package, comment: request.comment, by: request.requestedBy)
        try await PackageActionJournal(transaction: transaction).record(
            .reinitialize, before: package, after: after, request: request, job: job, effects: effects)
        effects.notificationsWritten = try await transaction.notifications.notifyCancelledOrders(
            packageID: package.id, revision: nil, reason: .packageReinitialized, comment: request.comment)
        return effects
    }
}

import Domain
import Logging
import Store

/// `bulk_orders` (`POST /v1/orders/bulk`): approves, rejects or cancels the orders a
/// request named, in one transaction, through the same set-based action as a single
/// order (``OrderRepository/apply(_:to:comment:by:)``); the outcome becomes the job's
/// `result` in that transaction. Each order changes at most once: a rerun after a crash
/// finds nothing committed (the transaction died) and does it all; a replayed request's
/// new job finds the orders already changed and reports them skipped.
public struct BulkOrdersJob: JobHandler {
    public init() {}
    public var kind: JobKind { .bulkOrders }

    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let outcome = try await apply(job, in: transaction)
        logger.info(
            "bulk order action done",
            metadata: ["changed": "\(outcome.changed)", "skipped": "\(outcome.skipped.count)"])
    }

    /// The effects and the job's `result`, in `transaction`.
    public func apply(_ job: Job, in transaction: StoreTransaction) async throws -> OrderActionOutcome {
        let request = try job.payload(as: BulkOrdersRequest.self)
        let selection: OrderSelection =
            if let ids = request.ids {
                .ids(ids)
            } else {
                .filter(OrderFilter(packageID: request.packageID, entityID: request.entityID, statuses: request.statuses ?? []))
            }
        let outcome = try await transaction.orders.apply(
            request.action.orderAction, to: selection, comment: request.comment, by: request.requestedBy)
        try await transaction.jobs.setResult(of: job.id, outcome.json)
        return outcome
    }
}

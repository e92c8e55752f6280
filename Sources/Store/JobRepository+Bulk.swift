import Domain
import Postgres

extension JobRepository {
    /// Accepts a bulk order action (`POST /v1/orders/bulk`, the console's orders list):
    /// checks it now (ids or a filter that narrows, known entity and package, a sane
    /// comment) and queues the `bulk_orders` job that applies it. Each request is a job
    /// of its own; a replay with its `Idempotency-Key` finds the first answer.
    public func requestBulkOrders(
        _ action: BulkOrderAction, ids: [Int]?, filter: BulkOrderFilter?, comment: String?, by principal: Principal
    ) async throws -> Job {
        guard case .central(let operatorID, let operatorName, let role) = principal else {
            throw StoreError.forbidden("bulk order actions are for central operators")
        }
        let ids = ids.map { Array(Set($0)).sorted() }
        var problems = BulkOrdersRequest.problems(ids: ids, filter: filter, comment: comment)
        var entityID: Int?
        if problems.isEmpty, let code = filter?.entity {
            entityID = try await EntityRepository(connection: connection).ids(of: [code], field: "filter.entity").first
        }
        if problems.isEmpty, let packageID = filter?.packageID,
            try await PackageRepository(connection: connection).find(packageID) == nil
        {
            problems.append(FieldProblem(field: "filter.package", message: "no such package: \(packageID)"))
        }
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
        let request = BulkOrdersRequest(
            action: action, ids: ids, packageID: filter?.packageID, entityID: entityID,
            statuses: filter.map { $0.statuses.isEmpty ? nil : $0.statuses } ?? nil, comment: comment,
            requestedBy: (operatorID, operatorName, role))
        return try await enqueue(
            kind: .bulkOrders, packageID: filter?.packageID, revision: nil, uniqueKey: nil, payload: request, by: principal)
    }
}

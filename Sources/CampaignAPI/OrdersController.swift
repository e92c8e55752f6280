import Domain
import Hummingbird
import Store

/// Orders: placed by local entities, decided by the central entity, cancelled by either.
struct OrdersController {
    let store: Store
    var post: PostAction { PostAction(store: store) }

    func register(on group: RouterGroup<APIContext>) {
        group.post("packages/:id/orders", use: create)
        group.get("orders", use: list)
        group.post("orders/bulk", use: bulk)
        group.get("orders/:id", use: show)
        group.patch("orders/:id", use: edit)
        for action in [OrderAction.approve, .reject, .cancel] {
            group.post("orders/:id/\(action.rawValue)") { request, context in
                try await act(request, context, action)
            }
        }
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireLocal()
        let packageID = try context.id("id", "package")
        var request = request
        let data = try await request.collectData(context: context)
        let body = try await request.decode(as: Creation<OrderBody>.self, context: context).body
        return try await post.run(request, context, body: data, status: .created) { transaction, principal in
            let order = try await transaction.orders.create(
                packageID: packageID, label: body.label ?? "", comment: body.comment ?? "", parameters: body.parameters ?? [:],
                by: principal)
            return Views.order(order)
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = try QueryDecoding.decode(OrderListQuery.self, from: request)
        if try CSVResponse.wanted(by: request) {
            return try await CSVResponse.orders(query, for: principal, store: store, context: context)
        }
        let (limit, cursor) = (query.limit.orDefault, query.cursor)
        let orders = try await store.read(for: principal) { transaction -> [CampaignOrder] in
            guard let filter = try await Self.filter(query, principal, transaction) else { return [] }
            return try await transaction.orders.list(filter, before: cursor, limit: limit)
        }
        return JSONResponse.make(
            .ok,
            JSONResponse.page(orders.map(Views.order), nextCursor: orders.count == limit ? orders.last.map { String($0.id) } : nil))
    }

    /// The list's filter; `nil` when it names an entity the caller cannot see (no rows).
    static func filter(_ query: OrderListQuery, _ principal: Principal, _ transaction: StoreTransaction) async throws
        -> OrderFilter?
    {
        var filter = OrderFilter(packageID: query.package, statuses: query.status ?? [])
        if let entityCode = query.entity {
            guard let entity = try await transaction.entities.find(code: entityCode),
                principal.entityID == nil || principal.entityID == entity.id
            else { return nil }
            filter.entityID = entity.id
        }
        // A local entity lists its own orders, whatever it asks for.
        if let own = principal.entityID { filter.entityID = own }
        return filter
    }

    /// Approve, reject or cancel many orders: checked now, applied by a `bulk_orders` job (202).
    @Sendable func bulk(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        var request = request
        let data = try await request.collectData(context: context)
        let body = try await request.decode(as: BulkOrdersBody.self, context: context)
        guard let action = body.action else {
            throw APIError.validation([FieldProblem(field: "action", message: "is required")])
        }
        let filter = body.filter.map {
            BulkOrderFilter(packageID: $0.package?.value, entity: $0.entity, statuses: $0.status ?? [])
        }
        return try await post.run(request, context, body: data, status: .accepted) { transaction, principal in
            let job = try await transaction.jobs.requestBulkOrders(
                action, ids: body.ids?.map(\.value), filter: filter, comment: body.comment, by: principal)
            return .object(["job": Views.job(job)])
        }
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "order")
        let order = try await store.transaction(for: principal) { try await $0.orders.require(id, visibleTo: principal) }
        return JSONResponse.make(.ok, Views.order(order), headers: [.eTag: "\"\(order.version)\""])
    }

    @Sendable func edit(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "order")
        let expected = try request.expectedVersion()
        let body = try await request.decode(as: OrderBody.self, context: context)
        let change = OrderChange(label: body.label, comment: body.comment, parameters: body.parameters)
        let order = try await store.transaction(for: principal) {
            try await $0.orders.edit(id, change, expectedVersion: expected, by: principal)
        }
        return JSONResponse.make(.ok, Views.order(order), headers: [.eTag: "\"\(order.version)\""])
    }

    /// Approve, reject (central), cancel (central or the order's entity).
    func act(_ request: Request, _ context: APIContext, _ action: OrderAction) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "order")
        if action != .cancel, principal.role != .central {
            // Its own order: the entity may not decide it. Another's: it does not exist.
            _ = try await store.transaction(for: principal) { try await $0.orders.require(id, visibleTo: principal) }
            _ = try context.requireCentral()
        }
        var request = request
        let data = try await request.collectData(context: context)
        let comment = try await request.decode(as: CommentBody.self, context: context).comment
        return try await post.run(request, context, body: data, status: .ok) { transaction, principal in
            let order =
                switch action {
                case .approve: try await transaction.orders.decide(id, approve: true, comment: comment, by: principal)
                case .reject: try await transaction.orders.decide(id, approve: false, comment: comment, by: principal)
                default: try await transaction.orders.cancel(id, comment: comment, by: principal)
                }
            return Views.order(order)
        }
    }
}

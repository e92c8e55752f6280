import Domain
import Hummingbird
import Store

/// Orders: placed by local entities, decided by the central entity, cancelled by either.
struct OrdersController {
    let store: Store
    var post: PostAction { PostAction(store: store) }
    static let fields: Set<String> = ["label", "comment", "parameters"]

    func register(on group: RouterGroup<APIContext>) {
        group.post("packages/:id/orders", use: create)
        group.get("orders", use: list)
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
        let data = try await request.data(context: context)
        var body = try RequestBody(data: data, allowed: Self.fields)
        let label = body.string("label", required: true)
        let comment = body.string("comment")
        let parameters = body.object("parameters")
        try body.finish()
        return try await post.run(request, context, body: data, status: .created) { transaction, principal in
            let order = try await transaction.orders.create(
                packageID: packageID, label: label ?? "", comment: comment ?? "", parameters: parameters ?? [:],
                by: principal)
            return Views.order(order)
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        var query = QueryOptions(request)
        let packageID = query.integer("package")
        let entityCode = query.text("entity")
        let statuses = query.list("status", OrderStatus.self)
        let limit = query.limit()
        let cursor = query.integer("cursor")
        try query.finish()
        let orders = try await store.transaction(for: principal) { transaction -> [CampaignOrder] in
            var filter = OrderFilter(packageID: packageID, statuses: statuses)
            if let entityCode {
                guard let entity = try await transaction.entities.find(code: entityCode),
                    principal.entityID == nil || principal.entityID == entity.id
                else { return [] }
                filter.entityID = entity.id
            }
            // A local entity lists its own orders, whatever it asks for.
            if let own = principal.entityID { filter.entityID = own }
            return try await transaction.orders.list(filter, before: cursor, limit: limit)
        }
        return JSONResponse.make(
            .ok,
            JSONResponse.page(orders.map(Views.order), nextCursor: orders.count == limit ? orders.last.map { String($0.id) } : nil))
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
        var body = try RequestBody(data: try await request.data(context: context), allowed: Self.fields)
        let change = OrderChange(label: body.string("label"), comment: body.string("comment"), parameters: body.object("parameters"))
        try body.finish()
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
        let data = try await request.data(context: context)
        let comment = try RequestBody.comment(data)
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

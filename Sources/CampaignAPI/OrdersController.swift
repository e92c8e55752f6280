import Domain
import Hummingbird
import Store

/// Orders: placed by local entities, decided by the central entity, cancelled by either.
struct OrdersController {
    let store: Store

    func register(on group: RouterGroup<APIContext>) {
        let post = PostAction(store: store)
        group.post("packages/:id/orders") { request, context in
            _ = try context.requireLocal()
            let packageID = try context.id("id", "package")
            let data = try await request.data(context: context)
            var body = try RequestBody(data: data, allowed: ["label", "comment", "parameters"])
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
        group.get("orders") { request, context in
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
                JSONResponse.page(
                    orders.map(Views.order), nextCursor: orders.count == limit ? orders.last.map { String($0.id) } : nil))
        }
        group.get("orders/:id") { request, context in
            let principal = try context.requirePrincipal()
            let id = try context.id("id", "order")
            let order = try await store.transaction(for: principal) { try await $0.orders.require(id, visibleTo: principal) }
            return JSONResponse.make(.ok, Views.order(order), headers: [.eTag: "\"\(order.version)\""])
        }
        group.patch("orders/:id") { request, context in
            let principal = try context.requirePrincipal()
            let id = try context.id("id", "order")
            let expected = try request.expectedVersion()
            var body = try RequestBody(
                data: try await request.data(context: context), allowed: ["label", "comment", "parameters"])
            let change = OrderChange(label: body.string("label"), comment: body.string("comment"), parameters: body.object("parameters"))
            try body.finish()
            let order = try await store.transaction(for: principal) {
                try await $0.orders.edit(id, change, expectedVersion: expected, by: principal)
            }
            return JSONResponse.make(.ok, Views.order(order), headers: [.eTag: "\"\(order.version)\""])
        }
        for action in [OrderAction.approve, .reject, .cancel] {
            group.post("orders/:id/\(action.rawValue)") { request, context in
                let principal = try context.requirePrincipal()
                let id = try context.id("id", "order")
                if action != .cancel, principal.role != .central {
                    // Its own order: the entity may not decide it. Another's: it does not exist.
                    _ = try await store.transaction(for: principal) { try await $0.orders.require(id, visibleTo: principal) }
                    _ = try context.requireCentral()
                }
                let data = try await request.data(context: context)
                var body = try RequestBody(data: data, allowed: ["comment"])
                let comment = body.string("comment")
                try body.finish()
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
    }
}

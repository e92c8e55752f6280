import Domain
import Hummingbird
import Store

/// Processes of reference campaigns, registered and reported by the campaign execution engine (central).
struct ProcessesController {
    let store: Store

    func register(on group: RouterGroup<APIContext>) {
        let post = PostAction(store: store)
        group.post("packages/:id/processes") { request, context in
            _ = try context.requireCentral()
            let packageID = try context.id("id", "package")
            let data = try await request.data(context: context)
            var body = try RequestBody(data: data, allowed: ["kind", "name"])
            let kind = body.string("kind", required: true)
            let name = body.string("name", required: true)
            try body.finish()
            return try await post.run(request, context, body: data, status: .created) { transaction, principal in
                Views.process(
                    try await transaction.processes.register(
                        packageID: packageID, kind: kind ?? "", name: name ?? "", by: principal))
            }
        }
        group.patch("processes/:id") { request, context in
            let principal = try context.requireCentral()
            let id = try context.id("id", "process")
            var body = try RequestBody(data: try await request.data(context: context), allowed: ["status"])
            let status = body.string("status", required: true)
            try body.finish()
            let process = try await store.transaction {
                try await $0.processes.update(id, status: status ?? "", by: principal)
            }
            return JSONResponse.make(.ok, Views.process(process))
        }
    }
}

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
            var request = request
            let data = try await request.collectData(context: context)
            let body = try await request.decode(as: ProcessBody.self, context: context)
            return try await post.run(request, context, body: data, status: .created) { transaction, principal in
                Views.process(
                    try await transaction.processes.register(
                        packageID: packageID, kind: body.kind ?? "", name: body.name ?? "", by: principal))
            }
        }
        group.patch("processes/:id") { request, context in
            let principal = try context.requireCentral()
            let id = try context.id("id", "process")
            let status = try await request.decode(as: ProcessStatusBody.self, context: context).status
            let process = try await store.transaction {
                try await $0.processes.update(id, status: status ?? "", by: principal)
            }
            return JSONResponse.make(.ok, Views.process(process))
        }
    }
}

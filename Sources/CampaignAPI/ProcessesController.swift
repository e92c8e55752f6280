import Domain
import Hummingbird
import Store

/// Processes of reference campaigns, registered and reported by the campaign execution engine (central).
struct ProcessesController {
    let store: Store
    var post: PostAction { PostAction(store: store) }

    func register(on group: RouterGroup<APIContext>) {
        group.post("packages/:id/processes", use: create)
        group.patch("processes/:id", use: report)
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
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

    /// The engine reports a process's status.
    @Sendable func report(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requireCentral()
        let id = try context.id("id", "process")
        let status = try await request.decode(as: ProcessStatusBody.self, context: context).status
        let process = try await store.transaction { try await $0.processes.update(id, status: status ?? "", by: principal) }
        return JSONResponse.make(.ok, Views.process(process))
    }
}

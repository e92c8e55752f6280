import Domain
import Hummingbird
import Store

/// `/v1/jobs`: the queue as the central entity sees it.
struct JobsController {
    let store: Store
    var post: PostAction { PostAction(store: store) }

    func register(on group: RouterGroup<APIContext>) {
        group.post("jobs/:id/retry", use: retry)
        group.get("jobs/:id", use: show)
        group.get("jobs", use: list)
    }

    @Sendable func retry(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "job")
        var request = request
        let data = try await request.collectData(context: context)
        _ = try await request.decode(as: EmptyBody.self, context: context)
        return try await post.run(request, context, body: data, status: .accepted) { transaction, principal in
            .object(["job": Views.job(try await transaction.jobs.retry(id, by: principal))])
        }
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "job")
        let job = try await store.transaction { try await $0.jobs.require(id) }
        return JSONResponse.make(.ok, Views.job(job))
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let query = try QueryDecoding.decode(JobListQuery.self, from: request)
        let limit = query.limit.orDefault
        let jobs = try await store.transaction {
            try await $0.jobs.list(statuses: query.status ?? [], before: query.cursor, limit: limit)
        }
        return JSONResponse.make(
            .ok, JSONResponse.page(jobs.map(Views.job), nextCursor: jobs.count == limit ? jobs.last.map { String($0.id) } : nil))
    }
}

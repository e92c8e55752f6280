import Domain
import Hummingbird
import Store

/// `/v1/entities`: local entities and their tokens (central).
struct EntitiesController {
    let store: Store
    let tokens: TokenStore
    let sessions: SessionStore
    var post: PostAction { PostAction(store: store) }

    func register(on group: RouterGroup<APIContext>) {
        group.post("entities", use: create)
        group.get("entities", use: list)
        group.get("entities/:code", use: show)
        group.patch("entities/:code", use: update)
        group.post("entities/:code/tokens", use: mintToken)
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        guard let code = context.parameters.get("code") else { throw APIError.notFound("entity") }
        guard let entity = try await store.transaction({ try await $0.entities.find(code: code) }) else {
            throw APIError.notFound("entity \(code)")
        }
        return JSONResponse.make(.ok, Views.entity(entity))
    }

    /// Label, tags, `disabled` (admin). Disabling ends the entity's access at once.
    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let code = context.parameters.get("code") else { throw APIError.notFound("entity") }
        let body = try await request.decode(as: EntityPatchBody.self, context: context)
        let entity = try await store.transaction(for: principal) { transaction in
            try await transaction.entities.update(
                code: code, label: body.label, tags: body.tags, disabled: body.disabled, by: principal)
        }
        if body.disabled != nil {
            tokens.forgetAll()
            sessions.forgetAll()
        }
        return JSONResponse.make(.ok, Views.entity(entity))
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        var request = request
        let data = try await request.collectData(context: context)
        let body = try await request.decode(as: EntityBody.self, context: context)
        return try await post.run(request, context, body: data, status: .created) { transaction, principal in
            Views.entity(try await transaction.entities.create(code: body.code ?? "", label: body.label ?? "", by: principal))
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let query = try QueryDecoding.decode(EntityListQuery.self, from: request)
        let limit = query.limit.orDefault
        let entities = try await store.transaction { try await $0.entities.list(after: query.cursor, limit: limit) }
        return JSONResponse.make(
            .ok, JSONResponse.page(entities.map(Views.entity), nextCursor: entities.count == limit ? entities.last?.code : nil))
    }

    /// A token for the entity, shown once (an `Idempotency-Key` is ignored: a replay would show it again).
    @Sendable func mintToken(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requireCentral()
        guard let code = context.parameters.get("code") else { throw APIError.notFound("entity") }
        _ = try await request.decode(as: EmptyBody.self, context: context)
        guard let token = try await tokens.createEntityToken(entityCode: code, by: principal) else {
            throw APIError.notFound("entity \(code)")
        }
        return JSONResponse.make(.created, .object(["token": .string(token.text), "entity": .string(code)]))
    }
}

import Domain
import Hummingbird
import Store

/// `/v1/tokens`: every token, its owner and use, never its secret; revocation (admin).
struct TokensController {
    let store: Store
    let tokens: TokenStore

    func register(on group: RouterGroup<APIContext>) {
        group.get("tokens", use: list)
        group.delete("tokens/:id", use: revoke)
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let query = try QueryDecoding.decode(TokenListQuery.self, from: request)
        let limit = query.limit.orDefault
        let filter = TokenRepository.Filter(ownerKind: query.ownerKind, owner: query.owner, revoked: query.revoked)
        let page = try await store.transaction { try await $0.tokens.list(filter, after: query.cursor ?? 0, limit: limit) }
        return JSONResponse.make(
            .ok, JSONResponse.page(page.map(Views.token), nextCursor: page.count == limit ? page.last.map { String($0.id) } : nil))
    }

    /// 204 whether the token was live or already revoked; it answers 401 on every daemon
    /// within a second (``AccessChanges``), on this one at once.
    @Sendable func revoke(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "token")
        try await store.transaction(for: principal) { _ = try await $0.tokens.revoke(id, by: principal) }
        tokens.forgetAll()
        return Response(status: .noContent)
    }
}

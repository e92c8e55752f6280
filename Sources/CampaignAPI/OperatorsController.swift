import Domain
import Foundation
import Hummingbird
import Store

/// `/v1/operators`: people and programs of the head office and of local entities, their
/// roles and passwords. Who may call which route is ``AccessRules``' (checked before a
/// handler runs); a password change also needs to be the operator itself or an admin.
struct OperatorsController {
    let store: Store
    let tokens: TokenStore
    let sessions: SessionStore
    let passwords: PasswordCheck
    var post: PostAction { PostAction(store: store) }

    func register(on group: RouterGroup<APIContext>) {
        group.post("operators", use: create)
        group.get("operators", use: list)
        group.get("operators/:name", use: show)
        group.patch("operators/:name", use: update)
        group.put("operators/:name/password", use: setPassword)
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let data = try await request.collectData(context: context)
        let body = try await request.decode(as: OperatorBody.self, context: context)
        var response = try await post.run(request, context, body: data, status: .created) { transaction, principal in
            Views.operatorAccount(
                try await transaction.operators.create(
                    name: body.name ?? "", role: body.role ?? .viewer, entityCode: body.entity,
                    displayName: body.displayName, by: principal))
        }
        if response.status == .created, let name = body.name {
            response.headers[.location] = "/v1/operators/\(name.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? name)"
        }
        return response
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let query = try QueryDecoding.decode(OperatorListQuery.self, from: request)
        let limit = query.limit.orDefault
        let page = try await store.transaction { try await $0.operators.list(after: query.cursor, limit: limit) }
        return JSONResponse.make(
            .ok, JSONResponse.page(page.map(Views.operatorAccount), nextCursor: page.count == limit ? page.last?.name : nil))
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        let name = try Self.name(context)
        let account = try await store.transaction { try await $0.operators.require(name) }
        return JSONResponse.make(.ok, Views.operatorAccount(account))
    }

    @Sendable func update(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try Self.name(context)
        let body = try await request.decode(as: OperatorPatchBody.self, context: context)
        let account = try await store.transaction(for: principal) { transaction in
            try await transaction.operators.update(
                name, role: body.role, displayName: body.displayName.map(\.wrapped), disabled: body.disabled, by: principal)
        }
        // This daemon forgets at once; the others when the announcement reaches them.
        tokens.forgetAll()
        sessions.forgetAll()
        return JSONResponse.make(.ok, Views.operatorAccount(account))
    }

    /// An admin sets anyone's password; an operator changes its own with its current one
    /// (wrong guesses are limited, 429).
    @Sendable func setPassword(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let name = try Self.name(context)
        let isAdmin = principal.operatorRole == .admin && principal.operatorName != nil
        guard isAdmin || principal.operatorName == name else {
            throw APIError.forbidden(needs: .admin, "only an admin may set another operator's password")
        }
        let body = try await request.decode(as: PasswordBody.self, context: context)
        let password = body.password ?? ""
        try ValidationFailure.throwIfAny(OperatorRules.checkPassword(password))
        if !isAdmin {
            guard let current = body.currentPassword else {
                throw APIError.validation([FieldProblem(field: "current_password", message: "is required to change one's own password")])
            }
            switch try await passwords.check(name: name, password: current, address: context.remoteAddress) {
            case .accepted:
                break
            case .rejected:
                throw APIError(.forbidden, code: "wrong_password", detail: "current_password is not this operator's password")
            case .limited(let retryAfter):
                throw APIError.tooManyAttempts(retryAfter: retryAfter)
            }
        }
        let hash = try await passwords.hasher.hash(password)
        try await store.transaction(for: principal) { transaction in
            try await transaction.operators.setPasswordHash(hash, of: name, by: principal)
        }
        return Response(status: .noContent)
    }

    static func name(_ context: APIContext) throws -> String {
        guard let name = context.parameters.get("name")?.removingPercentEncoding ?? context.parameters.get("name") else {
            throw APIError.notFound("operator")
        }
        return name
    }
}

extension APIError {
    /// 429 `too_many_attempts` with `Retry-After`.
    static func tooManyAttempts(retryAfter: Int) -> APIError {
        APIError(
            .tooManyRequests, code: "too_many_attempts",
            detail: "too many wrong passwords; try again in \(retryAfter) seconds",
            headers: [.retryAfter: String(retryAfter)])
    }
}

extension APIContext {
    /// The client's IP address, for the limits of password checks (the socket's peer:
    /// behind a proxy, every client shares the proxy's address).
    var remoteAddress: String? {
        channel?.remoteAddress?.ipAddress
    }
}

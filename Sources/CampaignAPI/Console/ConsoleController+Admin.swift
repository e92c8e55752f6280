import Domain
import Foundation
import Hummingbird
import Store

/// Operators, entities and tokens: everyone central reads the first two, an admin changes
/// them and alone sees the tokens (the rules of their API routes).
extension ConsoleController {
    static func may(_ method: String, _ path: String, _ principal: Principal) -> Bool {
        AccessRules.check(APIRoute(method, path), role: principal.operatorRole) == nil
    }

    /// What a row of operators or entities shows of `disabled`: its status, the value
    /// its Save keeps, and the button that turns it over.
    static func disabling(_ disabled: Bool) -> [String: Any] {
        [
            "status": disabled ? "disabled" : "enabled", "disabledValue": disabled ? "true" : "false",
            "toggle": disabled ? "false" : "true", "toggleLabel": disabled ? "Enable" : "Disable",
        ]
    }

    // MARK: Operators

    @Sendable func operatorList(_ request: Request, context: APIContext) async throws -> Response {
        try await operatorsPage(context)
    }

    func operatorsPage(_ context: APIContext, createError: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("GET", "/v1/operators", principal)
        let operators = try await store.transaction { try await $0.operators.list(after: nil, limit: 500) }
        var data = Self.layout(context)
        let mayChange = Self.may("PATCH", "/v1/operators/{name}", principal)
        data["title"] = "Operators"
        data["mayChange"] = mayChange
        data["createError"] = createError
        data["roles"] = OperatorRole.allCases.map(\.rawValue)
        data["rows"] = operators.map { account -> [String: Any] in
            [
                "name": account.name, "role": account.role.rawValue, "entity": account.entityCode ?? "",
                "displayName": account.displayName ?? "", "password": account.hasPassword ? "set" : "none",
                "mayChange": mayChange, "csrf": data["csrf"] ?? "", "central": account.role != .local,
                "roleOptions": OperatorRole.allCases.filter { $0 != .local }.map { ["value": $0.rawValue, "selected": $0 == account.role] as [String: Any] },
            ].merging(Self.disabling(account.disabled)) { $1 }
        }
        return ConsolePage.render("operators", data, status: status)
    }

    @Sendable func createOperator(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("POST", "/v1/operators", principal)
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        let entity = form["entity"].flatMap { $0.isEmpty ? nil : $0 }
        let display = form["display_name"].flatMap { $0.isEmpty ? nil : $0 }
        guard let role = form["role"].flatMap(OperatorRole.init(rawValue:)) else {
            return try await operatorsPage(context, createError: "role: must be one of the roles", status: .unprocessableContent)
        }
        do {
            _ = try await store.transaction(for: principal) {
                try await $0.operators.create(name: form["name"] ?? "", role: role, entityCode: entity, displayName: display, by: principal)
            }
        } catch let error as StoreError {
            return try await operatorsPage(context, createError: APIError(error).detail, status: APIError(error).status)
        } catch let failure as ValidationFailure {
            return try await operatorsPage(context, createError: failure.description, status: .unprocessableContent)
        }
        return ConsolePage.redirect("/console/operators")
    }

    @Sendable func updateOperator(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("PATCH", "/v1/operators/{name}", principal)
        guard let name = context.parameters.get("name") else { throw APIError.notFound("operator") }
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        let role = form["role"].flatMap(OperatorRole.init(rawValue:))
        let disabled = form["disabled"].map { $0 == "true" }
        _ = try await store.transaction(for: principal) {
            try await $0.operators.update(name, role: role, displayName: nil, disabled: disabled, by: principal)
        }
        tokens.forgetAll()
        sessions.forgetAll()
        return ConsolePage.redirect("/console/operators")
    }

    /// An admin sets a password (12 to 1,024 characters), hashed as the API does.
    @Sendable func setOperatorPassword(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard principal.operatorRole == .admin else {
            throw APIError.forbidden(needs: .admin, "only an admin may set another operator's password here")
        }
        guard let name = context.parameters.get("name") else { throw APIError.notFound("operator") }
        var request = request
        let password = FormBody(try await request.collectData(context: context))["password"] ?? ""
        try ValidationFailure.throwIfAny(OperatorRules.checkPassword(password))
        let hash = try await passwords.hasher.hash(password)
        try await store.transaction(for: principal) { try await $0.operators.setPasswordHash(hash, of: name, by: principal) }
        return ConsolePage.redirect("/console/operators")
    }

    // MARK: Entities

    @Sendable func entityList(_ request: Request, context: APIContext) async throws -> Response {
        try await entitiesPage(request, context)
    }

    func entitiesPage(
        _ request: Request, _ context: APIContext, token: (String, String)? = nil, createError: String? = nil,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("GET", "/v1/entities", principal)
        let query = try QueryDecoding.decode(EntityListQuery.self, from: request)
        let limit = query.limit.orDefault
        let entities = try await store.transaction { try await $0.entities.list(after: query.cursor, limit: limit) }
        let mayChange = Self.may("PATCH", "/v1/entities/{code}", principal)
        var data = Self.layout(context)
        data["title"] = "Local entities"
        data["mayChange"] = mayChange
        data["createError"] = createError
        if let token { data["token"] = ["entity": token.0, "value": token.1] }
        data["rows"] = entities.map { entity -> [String: Any] in
            [
                "code": entity.code, "label": entity.label, "tags": entity.tags.joined(separator: " "),
                "mayChange": mayChange, "csrf": data["csrf"] ?? "",
            ].merging(Self.disabling(entity.disabled)) { $1 }
        }
        if entities.count == limit, let last = entities.last {
            data["next"] = "/console/entities?cursor=\(last.code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? last.code)"
        }
        return ConsolePage.render("entities", data, status: status)
    }

    @Sendable func createEntity(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("POST", "/v1/entities", principal)
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        do {
            _ = try await store.transaction(for: principal) {
                try await $0.entities.create(code: form["code"] ?? "", label: form["label"] ?? "", by: principal)
            }
        } catch let error as StoreError {
            return try await entitiesPage(request, context, createError: APIError(error).detail, status: APIError(error).status)
        }
        return ConsolePage.redirect("/console/entities")
    }

    @Sendable func updateEntity(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("PATCH", "/v1/entities/{code}", principal)
        guard let code = context.parameters.get("code") else { throw APIError.notFound("entity") }
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        let tags = form["tags"].map { $0.split(whereSeparator: { $0 == "," || $0.isWhitespace }).map(String.init) }
        _ = try await store.transaction(for: principal) {
            try await $0.entities.update(
                code: code, label: form["label"], tags: tags, disabled: form["disabled"].map { $0 == "true" }, by: principal)
        }
        tokens.forgetAll()
        sessions.forgetAll()
        return ConsolePage.redirect("/console/entities")
    }

    /// A token for the entity, shown once on the page that answers.
    @Sendable func mintEntityToken(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("POST", "/v1/entities/{code}/tokens", principal)
        guard let code = context.parameters.get("code"),
            let token = try await tokens.createEntityToken(entityCode: code, by: principal)
        else { throw APIError.notFound("entity") }
        return try await entitiesPage(request, context, token: (code, token.text))
    }

    // MARK: Tokens

    @Sendable func tokenList(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("GET", "/v1/tokens", principal)
        let query = try QueryDecoding.decode(TokenListQuery.self, from: request)
        let limit = query.limit.orDefault
        let filter = TokenRepository.Filter(ownerKind: query.ownerKind, owner: query.owner, revoked: query.revoked)
        let records = try await store.transaction { try await $0.tokens.list(filter, after: query.cursor ?? 0, limit: limit) }
        var data = Self.layout(context)
        data["title"] = "Tokens"
        data["rows"] = records.map {
            [
                "id": String($0.id), "owner": "\($0.ownerKind.rawValue) \($0.owner)", "created": RFC3339.format($0.createdAt),
                "used": $0.lastUsedAt.map(RFC3339.format) ?? "never", "revoked": $0.revokedAt.map(RFC3339.format) ?? "",
                "live": $0.revokedAt == nil, "csrf": data["csrf"] ?? "",
            ] as [String: Any]
        }
        if records.count == limit, let last = records.last { data["next"] = "/console/tokens?cursor=\(last.id)" }
        return ConsolePage.render("tokens", data)
    }

    @Sendable func revokeToken(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("DELETE", "/v1/tokens/{id}", principal)
        let id = try context.id("id", "token")
        _ = try await store.transaction(for: principal) { try await $0.tokens.revoke(id, by: principal) }
        tokens.forgetAll()
        return ConsolePage.redirect("/console/tokens")
    }
}

import Domain
import Hummingbird
import Logging
import Postgres
import Store

/// Authenticates every `/v1` request with its bearer token (401 when it is missing,
/// unknown, revoked or its owner disabled), then checks the route against the caller's
/// role in ``AccessRules`` (403 `forbidden` with `required_role`) before any handler runs.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let tokens: TokenStore

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let header = request.headers[.authorization], let token = Self.bearerToken(header) else {
            throw APIError.unauthorized
        }
        guard let principal = try await tokens.authenticate(token) else { throw APIError.unauthorized }
        var context = context
        context.principal = principal
        context.logger[metadataKey: "principal"] = "\(principal.actorName)"
        // The route as registered (`/v1/packages/{id}`), the form the table is keyed by.
        let route = APIRoute(request.method.rawValue, context.endpointPath ?? request.uri.path)
        context.route = route
        if let refusal = AccessRules.check(route, role: principal.operatorRole) {
            throw APIError(refusal, route: route, role: principal.operatorRole)
        }
        return try await next(request, context)
    }

    /// The credentials of `Authorization: Bearer <token>` (the scheme in any case, RFC 9110),
    /// spaces and tabs around the token dropped; `nil` for any other scheme or an empty token.
    /// Works on bytes: it runs on every request.
    static func bearerToken(_ header: String) -> String? {
        let scheme = "bearer ".utf8
        let utf8 = header.utf8
        guard utf8.count > scheme.count,
            zip(utf8, scheme).allSatisfy({ byte, expected in
                byte == expected || (expected != UInt8(ascii: " ") && byte == expected - 0x20)
            })
        else { return nil }
        let blank: (UInt8) -> Bool = { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        var token = utf8.dropFirst(scheme.count)
        while let first = token.first, blank(first) { token = token.dropFirst() }
        while let last = token.last, blank(last) { token = token.dropLast() }
        return token.isEmpty ? nil : String(decoding: token, as: UTF8.self)
    }
}

/// Turns every error into `application/problem+json`: API errors as they are, store
/// refusals by kind, anything else as a 500 or 503 that names no internals.
struct ProblemMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return try error.response(from: request, context: context)
        } catch let error as StoreError {
            return try APIError(error).response(from: request, context: context)
        } catch let refusal as TransitionRefusal {
            return try APIError(.invalidTransition(refusal)).response(from: request, context: context)
        } catch let failure as ValidationFailure {
            return try APIError.validation(failure.problems).response(from: request, context: context)
        } catch let refusal as ApprovalRules.Refusal {
            return try APIError(refusal).response(from: request, context: context)
        } catch let error as HTTPError {
            let code =
                switch error.status {
                case .notFound: "not_found"
                case .methodNotAllowed: "method_not_allowed"
                case .contentTooLarge: "payload_too_large"
                default: "bad_request"
                }
            return try APIError(error.status, code: code, detail: error.body ?? error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            // Framework errors such as a body over the upload limit (413).
            let code = error.status == .contentTooLarge ? "payload_too_large" : "bad_request"
            return try APIError(error.status, code: code, detail: error.status.reasonPhrase)
                .response(from: request, context: context)
        } catch let error as PostgresError where error.code == .invalidParameter {
            // A value PostgreSQL cannot hold (a NUL character in a path segment, say).
            return try APIError(.unprocessableContent, code: "validation_failed", detail: error.message)
                .response(from: request, context: context)
        } catch let error as PostgresError where error.isUnavailable {
            context.logger.warning("database unavailable", metadata: ["error": "\(error)"])
            return try APIError(
                .serviceUnavailable, code: "unavailable", detail: "the database is unavailable; retry shortly",
                headers: [.retryAfter: "1"]
            ).response(from: request, context: context)
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return try APIError(.internalServerError, code: "internal", detail: "the server failed to answer this request")
                .response(from: request, context: context)
        }
    }
}

extension PostgresError {
    /// Failures that mean "try again later" rather than "the server is broken".
    var isUnavailable: Bool {
        isConnectionFailure || code == .poolTimeout || code == .poolClosed
    }
}

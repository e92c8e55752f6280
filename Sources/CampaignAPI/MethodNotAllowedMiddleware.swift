import HTTPTypes
import Hummingbird

/// `405 Method Not Allowed` with `Allow` (RFC 9110 §15.5.6) when a path exists under other
/// methods; `404` stays for paths that do not exist at all.
///
/// The router answers both cases with its not-found responder. Added after every route,
/// this middleware wraps only that responder, and knows every route by then.
///
/// A literal path that a parameter route also matches (`/v1/orders/bulk` beside
/// `/v1/orders/:id`) is its own resource: a method it does not have is a 405 at once,
/// before the router hands the request to the parameter route (which would answer 404
/// for an id "bulk").
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path split in segments (`nil`: a parameter, any one segment) and its methods.
    let routes: [(segments: [Substring?], methods: [HTTPRequest.Method])]
    /// The literal paths a parameter route shadows, with their own methods.
    let shadowed: [String: [HTTPRequest.Method]]

    init(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        var byPath: [String: [HTTPRequest.Method]] = [:]
        for route in routes { byPath[route.path, default: []].append(route.method) }
        let routes = byPath.map { path, methods in
            (
                segments: path.split(separator: "/").map { $0.hasPrefix(":") || $0.hasPrefix("{") || $0 == "*" ? nil : $0 },
                methods: methods.sorted { $0.rawValue < $1.rawValue }
            )
        }
        self.routes = routes
        var shadowed: [String: [HTTPRequest.Method]] = [:]
        for literal in routes where literal.segments.allSatisfy({ $0 != nil }) {
            let segments = literal.segments.compactMap { $0 }
            let covered = routes.contains { other in
                other.segments.contains(nil) && Self.matches(other.segments, segments)
            }
            if covered { shadowed["/" + segments.joined(separator: "/")] = literal.methods }
        }
        self.shadowed = shadowed
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        if !shadowed.isEmpty, let own = shadowed[request.uri.path], !own.contains(request.method) {
            throw Self.notAllowed(request.method, own)
        }
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            throw Self.notAllowed(request.method, allowed)
        }
    }

    static func notAllowed(_ method: HTTPRequest.Method, _ allowed: [HTTPRequest.Method]) -> APIError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return APIError(
            .methodNotAllowed, code: "method_not_allowed",
            detail: "\(method.rawValue) is not a method of this path; it has \(list)", headers: [.allow: list])
    }

    /// The methods of the routes whose path matches `path`: those of the most literal
    /// matches only (`/v1/orders/bulk` is not an order).
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        var found: Set<HTTPRequest.Method> = []
        var best = -1
        for route in routes where Self.matches(route.segments, segments) {
            let literal = route.segments.count { $0 != nil }
            if literal > best { (best, found) = (literal, []) }
            if literal == best { found.formUnion(route.methods) }
        }
        return found.sorted { $0.rawValue < $1.rawValue }
    }

    static func matches(_ pattern: [Substring?], _ segments: [Substring]) -> Bool {
        pattern.count == segments.count && zip(pattern, segments).allSatisfy { $0 == nil || $0 == $1 }
    }
}

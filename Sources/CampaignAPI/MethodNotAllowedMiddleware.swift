import HTTPTypes
import Hummingbird

/// `405 Method Not Allowed` with `Allow` (RFC 9110 §15.5.6) when a path exists under other
/// methods; `404` stays for paths that do not exist at all.
///
/// The router answers both cases with its not-found responder. Added after every route,
/// this middleware wraps only that responder, and knows every route by then.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route's path split in segments (`nil`: a parameter, any one segment) and its methods.
    let routes: [(segments: [Substring?], methods: [HTTPRequest.Method])]

    init(_ routes: [(path: String, method: HTTPRequest.Method)]) {
        var byPath: [String: [HTTPRequest.Method]] = [:]
        for route in routes { byPath[route.path, default: []].append(route.method) }
        self.routes = byPath.map { path, methods in
            (
                path.split(separator: "/").map { $0.hasPrefix(":") || $0.hasPrefix("{") || $0 == "*" ? nil : $0 },
                methods.sorted { $0.rawValue < $1.rawValue }
            )
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let allowed = methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method) else { throw error }
            let list = allowed.map(\.rawValue).joined(separator: ", ")
            throw APIError(
                .methodNotAllowed, code: "method_not_allowed",
                detail: "\(request.method.rawValue) is not a method of this path; it has \(list)",
                headers: [.allow: list])
        }
    }

    /// The methods of the routes whose path matches `path`.
    func methods(for path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/")
        var found: Set<HTTPRequest.Method> = []
        for route in routes where route.segments.count == segments.count {
            if zip(route.segments, segments).allSatisfy({ $0 == nil || $0 == $1 }) {
                found.formUnion(route.methods)
            }
        }
        return found.sorted { $0.rawValue < $1.rawValue }
    }
}

import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id (its `X-Request-Id`, or a new one), echoes it back, puts it
/// on every log line the request causes, and logs one line per request: method, route,
/// status, duration. Never headers (tokens) nor bodies.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name? { HTTPField.Name("X-Request-Id") }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let name = Self.headerName
        let given = name.flatMap { request.headers[$0] }.flatMap { Self.acceptable($0) ? $0 : nil }
        let id = given ?? UUID().uuidString.lowercased()
        var context = context
        context.logger[metadataKey: "request_id"] = "\(id)"
        let started = ContinuousClock.now
        var response = try await next(request, context)
        if let name { response.headers[name] = id }
        // Tenths of a millisecond, in integers (String(format:) is slow on a per-request path).
        let tenths = Int(((ContinuousClock.now - started) / .microseconds(100)).rounded())
        context.logger.info(
            "request",
            metadata: [
                "method": "\(request.method.rawValue)", "route": "\(context.endpointPath ?? "unmatched")",
                "status": "\(response.status.code)", "duration_ms": "\(tenths / 10).\(tenths % 10)",
            ])
        return response
    }

    /// A client's id is kept when it is short and plain (it ends up in logs).
    static func acceptable(_ id: String) -> Bool {
        (1...128).contains(id.count) && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.:".contains($0)) }
    }
}

import Hummingbird
import Store

/// Read-your-writes through hot standbys: after a request that may have written (any
/// method but GET and HEAD) answers, the primary's WAL position is recorded as its
/// caller's fence; the caller's reads then go to a standby only once it has replayed
/// past it (``ReplicaSet/fence(_:)``). Without standbys it does nothing.
struct WriteFenceMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let replicas: ReplicaSet?

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let replicas, request.method != .get, request.method != .head else { return try await next(request, context) }
        // A refusal may still follow a write, so errors are fenced too (it costs one read).
        let answer: Result<Response, any Error>
        do {
            answer = .success(try await next(request, context))
        } catch {
            answer = .failure(error)
        }
        if let principal = context.principal { await replicas.fence(Store.readerKey(principal)) }
        return try answer.get()
    }
}

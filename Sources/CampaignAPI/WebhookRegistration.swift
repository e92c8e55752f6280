import Domain
import Synchronization
import Webhooks

/// The check of a webhook's URL when it is registered, through the API or the console.
struct WebhookRegistration: Sendable {
    let policy: WebhookAddressPolicy

    init(allowPrivate: Bool) {
        policy = WebhookAddressPolicy(allowPrivate: allowPrivate)
    }

    /// Refuses a URL that is not an http(s) address, or whose address is not allowed
    /// (an API 422, a console form's error). A name is resolved now, for a clear
    /// answer, but for at most `resolutionBound`: a name that does not resolve in time (or
    /// at all, yet) is accepted, since every attempt checks the addresses again before it
    /// connects. getaddrinfo cannot be cancelled, so the lookup runs in a task of its own
    /// that the request does not wait for past the bound.
    func check(_ url: String) async throws {
        let target: WebhookAddressPolicy.Target
        switch WebhookAddressPolicy.parse(url) {
        case .success(let parsed): target = parsed
        case .failure(let refusal): throw APIError.validation([FieldProblem(field: "url", message: refusal.message)])
        }
        let policy = policy
        let refusal = await withCheckedContinuation { (continuation: CheckedContinuation<WebhookAddressPolicy.Refusal?, Never>) in
            let answer = FirstAnswer(continuation)
            let lookup = Task {
                do {
                    _ = try await policy.addresses(of: target)
                    answer.give(nil)
                } catch let refusal as WebhookAddressPolicy.Refusal where !refusal.message.hasPrefix("cannot resolve") {
                    answer.give(refusal)
                } catch {
                    answer.give(nil)
                }
            }
            Task {
                try? await Task.sleep(for: Self.resolutionBound)
                answer.give(nil)
                lookup.cancel()
            }
        }
        if let refusal { throw APIError.validation([FieldProblem(field: "url", message: refusal.message)]) }
    }

    static let resolutionBound: Duration = .seconds(2)

    /// Resumes a continuation with the first of several answers, and ignores the rest.
    final class FirstAnswer<Value: Sendable>: Sendable {
        private let continuation: Mutex<CheckedContinuation<Value, Never>?>

        init(_ continuation: CheckedContinuation<Value, Never>) {
            self.continuation = Mutex(continuation)
        }

        func give(_ value: Value) {
            continuation.withLock { pending in
                pending?.resume(returning: value)
                pending = nil
            }
        }
    }
}

import Domain
import Synchronization

/// Principals of recently presented tokens, for a few seconds, so that a client polling
/// in a loop does not cost a token lookup per request. Keyed by the token's SHA-256:
/// the cache holds no secret. Emptied whenever access changes (``AccessChanges``), so
/// a revoked token or a disabled owner stops working at once; `lifetime` bounds how long
/// an entry lives if that announcement is lost (the listener reconnecting).
final class TokenCache: Sendable {
    private struct Entry {
        let principal: Principal
        let id: Int
        let expires: ContinuousClock.Instant
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every ``removeAll()``: a lookup that began before it must not
        /// remember what it found (the change may have committed after it read).
        var generation = 0
    }

    private let state = Mutex(State())
    let lifetime: Duration
    let capacity: Int

    init(lifetime: Duration = .seconds(5), capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The remembered principal and token id, or `nil`; `generation` is what to hand
    /// back to ``remember(_:id:for:generation:)`` after a lookup.
    func principal(for hash: String) -> (found: (principal: Principal, id: Int)?, generation: Int) {
        state.withLock { state in
            guard let entry = state.entries[hash] else { return (nil, state.generation) }
            if entry.expires < .now {
                state.entries[hash] = nil
                return (nil, state.generation)
            }
            return ((entry.principal, entry.id), state.generation)
        }
    }

    func remember(_ principal: Principal, id: Int, for hash: String, generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity {
                let now = ContinuousClock.now
                state.entries = state.entries.filter { $0.value.expires >= now }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            }
            state.entries[hash] = Entry(principal: principal, id: id, expires: .now + lifetime)
        }
    }

    func removeAll() {
        state.withLock { state in
            state.entries.removeAll(keepingCapacity: true)
            state.generation += 1
        }
    }
}

import Domain
import Synchronization

/// What recently presented credentials (tokens, page sessions) stand for, for a few
/// seconds, so that a client polling in a loop does not cost a lookup per request. Keyed
/// by the credential's SHA-256: the cache holds no secret. Emptied whenever access
/// changes (``AccessChanges``), so a revoked token, a closed session or a disabled owner
/// stops working at once; `lifetime` bounds how long an entry lives if that
/// announcement is lost (the listener reconnecting).
final class AccessCache<Value: Sendable>: Sendable {
    private struct Entry {
        let value: Value
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

    /// The remembered value, or `nil`; `generation` is what to hand back to
    /// ``remember(_:for:generation:)`` after a lookup.
    func value(for hash: String) -> (found: Value?, generation: Int) {
        state.withLock { state in
            guard let entry = state.entries[hash] else { return (nil, state.generation) }
            if entry.expires < .now {
                state.entries[hash] = nil
                return (nil, state.generation)
            }
            return (entry.value, state.generation)
        }
    }

    func remember(_ value: Value, for hash: String, generation: Int) {
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity {
                let now = ContinuousClock.now
                state.entries = state.entries.filter { $0.value.expires >= now }
                if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            }
            state.entries[hash] = Entry(value: value, expires: .now + lifetime)
        }
    }

    func removeAll() {
        state.withLock { state in
            state.entries.removeAll(keepingCapacity: true)
            state.generation += 1
        }
    }
}

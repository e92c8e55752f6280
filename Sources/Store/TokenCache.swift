import Domain
import Synchronization

/// Principals of recently presented tokens, for a few seconds, so that a client polling
/// in a loop does not cost a token lookup per request. Keyed by the token's SHA-256:
/// the cache holds no secret. A token revoked in the database keeps working here for
/// at most `lifetime`.
final class TokenCache: Sendable {
    private struct Entry {
        let principal: Principal
        let expires: ContinuousClock.Instant
    }

    private let entries = Mutex<[String: Entry]>([:])
    let lifetime: Duration
    let capacity: Int

    init(lifetime: Duration = .seconds(5), capacity: Int = 50_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func principal(for hash: String) -> Principal? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            if entry.expires < .now {
                entries[hash] = nil
                return nil
            }
            return entry.principal
        }
    }

    func remember(_ principal: Principal, for hash: String) {
        entries.withLock { entries in
            if entries.count >= capacity {
                let now = ContinuousClock.now
                entries = entries.filter { $0.value.expires >= now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[hash] = Entry(principal: principal, expires: .now + lifetime)
        }
    }
}

import CoreMetrics
import Domain
import Foundation
import Postgres
import Synchronization

/// Tokens in `central.api_tokens`: minting, authentication (with a short cache), use
/// times, listing and revocation.
public struct TokenStore: Sendable {
    /// What the database knows of a token's lookup: its hash and whose it is.
    struct StoredToken: Sendable {
        let id: Int
        let secretHash: String
        let principal: Principal
    }

    let pool: PostgresPool
    let cache: AccessCache<(principal: Principal, id: Int)>?
    let usage = TokenUsage()
    /// Lookups of tokens not in the cache, shared by concurrent requests: after a broadcast,
    /// every client polls again at once, and one statement then checks many tokens.
    let lookups: Coalescer<String, StoredToken?>

    /// - Parameter cacheLifetime: how long an authenticated token is remembered in
    ///   memory (nothing is remembered when `nil`). ``forgetAll()`` ends it sooner.
    public init(pool: PostgresPool, cacheLifetime: Duration? = nil) {
        self.pool = pool
        self.cache = cacheLifetime.map { AccessCache(lifetime: $0) }
        self.lookups = Coalescer(
            concurrency: 2, batch: 500,
            counters: (Counter(label: "campaignd_token_lookups_total"), Counter(label: "campaignd_token_statements_total"))
        ) { take in
            try await pool.withConnection { connection in
                let lookups = take()
                // A token works while it is not revoked and neither its operator nor its
                // entity (a local operator's included) is disabled.
                let rows = try await connection.query(
                    """
                    SELECT t.id, t.lookup, t.secret_hash, o.id AS operator_id, o.name AS operator_name, o.role,
                           e.id AS entity_id, e.code AS entity_code
                    FROM central.api_tokens t
                    LEFT JOIN central.operators o ON o.id = t.operator_id
                    LEFT JOIN central.entities e ON e.id = coalesce(t.entity_id, o.entity_id)
                    WHERE t.lookup = ANY(\(lookups)) AND t.revoked_at IS NULL
                      AND o.disabled_at IS NULL AND e.disabled_at IS NULL
                    """)
                var found: [String: StoredToken] = [:]
                for row in rows {
                    found[try row.decode(String.self, "lookup")] = StoredToken(
                        id: try row.decode(Int.self, "id"), secretHash: try row.decode(String.self, "secret_hash"),
                        principal: try Self.principal(row))
                }
                return lookups.map { found[$0] }
            }
        }
    }

    static func principal(_ row: PostgresRow) throws -> Principal {
        guard let operatorID = try row.decode(Int?.self, "operator_id") else {
            return .local(entityID: try row.decode(Int.self, "entity_id"), code: try row.decode(String.self, "entity_code"), operatorName: nil)
        }
        let name = try row.decode(String.self, "operator_name")
        let raw = try row.decode(String.self, "role")
        guard let role = OperatorRole(rawValue: raw) else {
            throw PostgresError(code: .decoding, message: "unexpected role \(raw)", column: "role")
        }
        if role == .local {
            return .local(entityID: try row.decode(Int.self, "entity_id"), code: try row.decode(String.self, "entity_code"), operatorName: name)
        }
        return .central(operatorID: operatorID, name: name, role: role)
    }

    /// Mints a token for the operator `name`, creating it as an `admin` if needed.
    /// The token text is returned once and never stored.
    public func createOperatorToken(operatorName name: String, by actor: Principal?) async throws -> APIToken {
        let token = APIToken.generate()
        try await pool.withTransaction { connection in
            let operatorID = try await OperatorRepository(connection: connection).ensure(name)
            let rows = try await connection.query(
                """
                INSERT INTO central.api_tokens (lookup, secret_hash, operator_id, label)
                VALUES (\(token.lookup), \(token.secretHash), \(operatorID), \(name))
                RETURNING id
                """)
            try await Journal(connection: connection).append(
                actor: actor?.actorName ?? "command-line", action: "create_token", subject: "token",
                subjectID: try rows[0].decode(Int.self, "id"))
        }
        return token
    }

    /// Mints a token for the local entity `code`; `nil` when no such entity exists.
    public func createEntityToken(entityCode code: String, by actor: Principal?) async throws -> APIToken? {
        let token = APIToken.generate()
        return try await pool.withTransaction { connection -> APIToken? in
            let rows = try await connection.query(
                """
                INSERT INTO central.api_tokens (lookup, secret_hash, entity_id, label)
                SELECT \(token.lookup), \(token.secretHash), id, code FROM central.entities WHERE code = \(code)
                RETURNING id, entity_id
                """)
            guard let row = rows.first else { return nil }
            try await Journal(connection: connection).append(
                actor: actor?.actorName ?? "command-line", action: "create_token", subject: "token",
                subjectID: try row.decode(Int.self, "id"), entityID: try row.decode(Int.self, "entity_id"))
            return token
        }
    }

    /// The principal of a presented token, or `nil` when it is unknown, revoked or its
    /// owner disabled.
    public func authenticate(_ presented: String) async throws -> Principal? {
        guard let token = APIToken(parsing: presented) else { return nil }
        let hash = token.secretHash
        let cached = cache?.value(for: hash)
        if let found = cached?.found {
            usage.record(found.id)
            return found.principal
        }
        guard let stored = try await lookups.answer(token.lookup),
            APIToken.constantTimeEqual(stored.secretHash, hash)
        else { return nil }
        if let generation = cached?.generation {
            cache?.remember((stored.principal, stored.id), for: hash, generation: generation)
        }
        usage.record(stored.id)
        return stored.principal
    }

    /// Forgets every remembered token: the next request of each is checked again. Called
    /// when ``AccessChanges`` are announced, and by the daemon that made the change.
    public func forgetAll() {
        cache?.removeAll()
    }

    /// Writes `last_used_at` of the tokens used since the last flush, in one statement, as
    /// the time of the flush (which runs every few seconds); at most one write a minute
    /// for each token. Runs beside the requests, never in one.
    public func flushUsage() async throws {
        let used = usage.take()
        guard !used.isEmpty else { return }
        try await pool.withConnection { connection in
            try await connection.query("UPDATE central.api_tokens SET last_used_at = now() WHERE id = ANY(\(used))")
        }
    }
}

/// Which tokens were used, for `last_used_at`: a token is recorded at most once a minute.
final class TokenUsage: Sendable {
    static let interval: Duration = .seconds(60)

    private struct State {
        var lastRecorded: [Int: ContinuousClock.Instant] = [:]
        var pending: Set<Int> = []
    }

    private let state = Mutex(State())

    func record(_ id: Int) {
        let now = ContinuousClock.now
        state.withLock { state in
            if let last = state.lastRecorded[id], now - last < Self.interval { return }
            if state.lastRecorded.count > 100_000 { state.lastRecorded = state.lastRecorded.filter { now - $0.value < Self.interval } }
            state.lastRecorded[id] = now
            state.pending.insert(id)
        }
    }

    func take() -> [Int] {
        state.withLock { state in
            defer { state.pending = [] }
            return Array(state.pending)
        }
    }
}

import CoreMetrics
import Domain
import Postgres

/// Tokens in `central.api_tokens`.
public struct TokenStore: Sendable {
    /// What the database knows of a token's lookup: its hash and whose it is.
    struct StoredToken: Sendable {
        let secretHash: String
        let principal: Principal
    }

    let pool: PostgresPool
    let cache: TokenCache?
    /// Lookups of tokens not in the cache, shared by concurrent requests: after a broadcast,
    /// every client polls again at once, and one statement then checks many tokens.
    let lookups: Coalescer<String, StoredToken?>

    /// - Parameter cacheLifetime: how long an authenticated token is remembered in
    ///   memory (nothing is remembered when `nil`).
    public init(pool: PostgresPool, cacheLifetime: Duration? = nil) {
        self.pool = pool
        self.cache = cacheLifetime.map { TokenCache(lifetime: $0) }
        self.lookups = Coalescer(
            concurrency: 2, batch: 500,
            counters: (Counter(label: "campaignd_token_lookups_total"), Counter(label: "campaignd_token_statements_total"))
        ) { take in
            try await pool.withConnection { connection in
                let lookups = take()
                let rows = try await connection.query(
                    """
                    SELECT t.lookup, t.secret_hash, t.operator_id, o.name AS operator_name, t.entity_id, e.code AS entity_code
                    FROM central.api_tokens t
                    LEFT JOIN central.operators o ON o.id = t.operator_id
                    LEFT JOIN central.entities e ON e.id = t.entity_id
                    WHERE t.lookup = ANY(\(lookups)) AND t.revoked_at IS NULL
                    """)
                var found: [String: StoredToken] = [:]
                for row in rows {
                    let principal: Principal =
                        if let operatorID = try row.decode(Int?.self, "operator_id") {
                            .central(operatorID: operatorID, name: try row.decode(String.self, "operator_name"))
                        } else {
                            .local(entityID: try row.decode(Int.self, "entity_id"), code: try row.decode(String.self, "entity_code"))
                        }
                    found[try row.decode(String.self, "lookup")] = StoredToken(
                        secretHash: try row.decode(String.self, "secret_hash"), principal: principal)
                }
                return lookups.map { found[$0] }
            }
        }
    }

    /// Mints a token for the central operator `name`, creating the operator if needed.
    /// The token text is returned once and never stored.
    public func createCentralToken(operatorName name: String) async throws -> APIToken {
        let token = APIToken.generate()
        try await pool.withTransaction { connection in
            let rows = try await connection.query(
                """
                INSERT INTO central.operators (name) VALUES (\(name))
                ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
                RETURNING id
                """)
            let operatorID = try rows[0].decode(Int.self, "id")
            try await connection.query(
                """
                INSERT INTO central.api_tokens (lookup, secret_hash, operator_id, label)
                VALUES (\(token.lookup), \(token.secretHash), \(operatorID), \(name))
                """)
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

    /// The principal of a presented token, or `nil` when it is unknown or revoked.
    public func authenticate(_ presented: String) async throws -> Principal? {
        guard let token = APIToken(parsing: presented) else { return nil }
        let hash = token.secretHash
        if let principal = cache?.principal(for: hash) { return principal }
        guard let stored = try await lookups.answer(token.lookup),
            APIToken.constantTimeEqual(stored.secretHash, hash)
        else { return nil }
        cache?.remember(stored.principal, for: hash)
        return stored.principal
    }
}

import Domain
import Foundation
import Postgres

/// Signed-in sessions of the web pages (`central.console_sessions`): a random secret in
/// a cookie, only its SHA-256 stored; a CSRF token per session; an idle timeout; ended
/// by sign-out and by the operator (or its entity) being disabled. A session found is
/// remembered for a few seconds, like a token: sign-out and every access change
/// announce themselves (``AccessChanges``) and every daemon forgets what it remembers.
public struct SessionStore: Sendable {
    /// A session as a request sees it.
    public struct Session: Sendable, Equatable {
        public let id: Int
        public let principal: Principal
        public let csrfToken: String
    }

    let pool: PostgresPool
    public let idleTimeout: Duration
    let cache: AccessCache<Session>?

    /// - Parameter cacheLifetime: how long a session found is remembered (`nil`: not at all).
    public init(pool: PostgresPool, idleTimeout: Duration = .seconds(8 * 3600), cacheLifetime: Duration? = nil) {
        self.pool = pool
        self.idleTimeout = idleTimeout
        self.cache = cacheLifetime.map { AccessCache(lifetime: $0) }
    }

    /// Forgets every remembered session (an access change was announced).
    public func forgetAll() {
        cache?.removeAll()
    }

    /// Opens a session for `account`; returns the cookie's value (shown once, never stored).
    public func open(for account: OperatorAccount, address: String?, userAgent: String?) async throws -> String {
        let secret = Self.randomHex(32)
        try await pool.withConnection { connection in
            try await connection.query(
                """
                INSERT INTO central.console_sessions (secret_hash, operator_id, csrf_token, address, user_agent)
                VALUES (\(APIToken.hash(secret)), \(account.id), \(Self.randomHex(32)), \(address),
                        \(userAgent.map { String($0.prefix(500)) }))
                """)
        }
        return secret
    }

    /// The session of a cookie value, or `nil` when it is unknown, revoked, idle past the
    /// timeout, or its operator (or a local operator's entity) is disabled. Marks it seen,
    /// at most once a minute.
    public func find(_ secret: String) async throws -> Session? {
        guard secret.utf8.count == 64, secret.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        let hash = APIToken.hash(secret)
        let cached = cache?.value(for: hash)
        if let found = cached?.found { return found }
        let idle = Int(idleTimeout.components.seconds)
        let session: Session? = try await pool.withConnection { connection in
            // A read; the write of last_seen_at only when it is a minute old (an UPDATE of the
            // same value would still write a row version and wait for the WAL on every page).
            let rows = try await connection.query(
                """
                WITH found AS (
                    SELECT s.id, s.csrf_token, s.last_seen_at, o.id AS operator_id, o.name AS operator_name, o.role,
                           e.id AS entity_id, e.code AS entity_code
                    FROM central.console_sessions s
                    JOIN central.operators o ON o.id = s.operator_id
                    LEFT JOIN central.entities e ON e.id = o.entity_id
                    WHERE s.secret_hash = \(hash) AND s.revoked_at IS NULL
                      AND s.last_seen_at > now() - make_interval(secs => \(idle))
                      AND o.disabled_at IS NULL AND e.disabled_at IS NULL
                ), touched AS (
                    UPDATE central.console_sessions t SET last_seen_at = now()
                    FROM found WHERE t.id = found.id AND found.last_seen_at < now() - interval '1 minute'
                )
                SELECT id, csrf_token, operator_id, operator_name, role, entity_id, entity_code FROM found
                """)
            guard let row = rows.first else { return nil }
            return Session(
                id: try row.decode(Int.self, "id"), principal: try TokenStore.principal(row),
                csrfToken: try row.decode(String.self, "csrf_token"))
        }
        if let session, let generation = cached?.generation { cache?.remember(session, for: hash, generation: generation) }
        return session
    }

    /// Ends a session (sign-out), on every daemon: announced like any access change.
    public func close(_ id: Int) async throws {
        try await pool.withTransaction { connection in
            try await connection.query("UPDATE central.console_sessions SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL")
            try await AccessChanges.announce(on: connection)
        }
        forgetAll()
    }

    /// A new 32-byte random secret, in hex (a session, a sign-in form's CSRF token).
    public static func newSecret() -> String { randomHex(32) }

    /// Compares two secrets without an early exit.
    public static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        APIToken.constantTimeEqual(lhs, rhs)
    }

    static func randomHex(_ bytes: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<bytes).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.hexEncoded
    }
}

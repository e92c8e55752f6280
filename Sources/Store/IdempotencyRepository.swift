import Foundation
import Postgres

/// The outcome of presenting an `Idempotency-Key`.
public enum IdempotencyClaim: Sendable, Equatable {
    /// First use (or an expired one): do the work, then ``IdempotencyRepository/complete(principal:key:status:body:)``.
    case new
    /// Seen within 24 hours with the same request: answer this again, do nothing.
    case replay(status: Int, body: String)
    /// Seen with a different request: refuse.
    case mismatch
}

/// Idempotency keys of POST requests (`central.idempotency_keys`).
///
/// The claim and the stored answer live in the request's own transaction: when the
/// work fails, the claim rolls back with it; a concurrent request with the same key
/// waits on the row until the first one commits, then replays its answer.
public struct IdempotencyRepository: Sendable {
    let connection: PostgresConnection

    public func claim(principal: String, key: String, requestHash: String) async throws -> IdempotencyClaim {
        let inserted = try await connection.query(
            """
            INSERT INTO central.idempotency_keys (principal, key, request_hash, status, body)
            VALUES (\(principal), \(key), \(requestHash), 0, '')
            ON CONFLICT (principal, key) DO NOTHING
            RETURNING key
            """)
        if !inserted.isEmpty { return .new }
        let rows = try await connection.query(
            """
            SELECT request_hash, status, body, created_at < now() - interval '24 hours' AS expired
            FROM central.idempotency_keys WHERE principal = \(principal) AND key = \(key) FOR UPDATE
            """)
        guard let row = rows.first else { return .new }
        if try row.decode(Bool.self, "expired") {
            try await connection.query(
                """
                UPDATE central.idempotency_keys SET request_hash = \(requestHash), status = 0, body = '', created_at = now()
                WHERE principal = \(principal) AND key = \(key)
                """)
            return .new
        }
        guard try row.decode(String.self, "request_hash") == requestHash else { return .mismatch }
        return .replay(status: try row.decode(Int.self, "status"), body: try row.decode(String.self, "body"))
    }

    public func complete(principal: String, key: String, status: Int, body: String) async throws {
        try await connection.query(
            """
            UPDATE central.idempotency_keys SET status = \(status), body = \(body)
            WHERE principal = \(principal) AND key = \(key)
            """)
    }

    /// Deletes, in one batch, the keys past their 24 hours. Returns how many.
    @discardableResult
    public func prune(batch: Int = 1000) async throws -> Int {
        try await connection.query(
            """
            DELETE FROM central.idempotency_keys WHERE ctid IN (
                SELECT ctid FROM central.idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT \(batch))
            """
        ).affectedRows
    }
}

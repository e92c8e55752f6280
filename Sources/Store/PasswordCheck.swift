import Domain
import Foundation
import Postgres

/// Checks an operator's password, with wrong attempts limited per operator name and per
/// client address (`central.password_failures`, shared by every daemon).
///
/// The same work whatever the name: an unknown operator, a disabled one or one without
/// a password costs one scrypt derivation like any other, and the answer is the same
/// `.rejected`. A name or address over its limit is refused before any derivation.
public struct PasswordCheck: Sendable {
    public struct Limits: Sendable {
        /// Wrong passwords for one operator name within `window`.
        public var perOperator: Int
        /// Wrong passwords from one address within `window`, whatever the names.
        public var perAddress: Int
        public var window: Duration

        public init(perOperator: Int = 5, perAddress: Int = 20, window: Duration = .seconds(900)) {
            self.perOperator = perOperator
            self.perAddress = perAddress
            self.window = window
        }
    }

    public enum Outcome: Sendable, Equatable {
        case accepted(OperatorAccount)
        /// Wrong password, unknown or disabled operator: the same answer.
        case rejected
        /// Too many wrong passwords: try again in `retryAfter` seconds.
        case limited(retryAfter: Int)
    }

    let store: Store
    public let hasher: PasswordHasher
    public let limits: Limits

    public init(store: Store, hasher: PasswordHasher, limits: Limits = Limits()) {
        self.store = store
        self.hasher = hasher
        self.limits = limits
    }

    /// Forgets counts whose window ended more than a day ago (upkeep).
    public static func prune(on connection: PostgresConnection) async throws {
        try await connection.query(
            "DELETE FROM central.password_failures WHERE window_started < now() - interval '1 day'")
    }

    public func check(name: String, password: String, address: String?) async throws -> Outcome {
        let keys = [("operator:" + name, limits.perOperator)] + (address.map { [("address:" + $0, limits.perAddress)] } ?? [])
        let window = Int(limits.window.components.seconds)
        let (retryAfter, credentials) = try await store.transaction { transaction in
            let rows = try await transaction.connection.query(
                """
                SELECT key, failures, ceil(extract(epoch FROM window_started + make_interval(secs => \(window)) - now()))::bigint AS remaining
                FROM central.password_failures
                WHERE key = ANY(\(keys.map(\.0))) AND window_started > now() - make_interval(secs => \(window))
                """)
            var retryAfter: Int?
            for row in rows {
                let key = try row.decode(String.self, "key")
                let limit = keys.first { $0.0 == key }?.1 ?? 0
                if try row.decode(Int.self, "failures") >= limit {
                    retryAfter = max(retryAfter ?? 0, max(1, try row.decode(Int.self, "remaining")))
                }
            }
            return (retryAfter, try await transaction.operators.credentials(of: name))
        }
        if let retryAfter { return .limited(retryAfter: retryAfter) }
        let usable = credentials.flatMap { $0.account.disabled ? nil : $0 }
        let matches = try await hasher.verify(password, against: usable?.hash)
        if matches, let account = usable?.account {
            try await store.transaction { transaction in
                try await transaction.connection.query("DELETE FROM central.password_failures WHERE key = \(keys[0].0)")
            }
            return .accepted(account)
        }
        try await store.transaction { transaction in
            try await transaction.connection.query(
                """
                INSERT INTO central.password_failures AS f (key, failures)
                SELECT unnest(\(keys.map(\.0))), 1
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN f.window_started > now() - make_interval(secs => \(window)) THEN f.failures + 1 ELSE 1 END,
                    window_started = CASE WHEN f.window_started > now() - make_interval(secs => \(window)) THEN f.window_started ELSE now() END
                """)
        }
        return .rejected
    }
}

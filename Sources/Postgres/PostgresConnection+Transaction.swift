/// Transaction isolation levels.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in a transaction: it commits when `body` returns and rolls back when it throws.
    @discardableResult
    public func withTransaction<T>(
        isolation: PostgresIsolation = .readCommitted,
        isolation actor: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await execute(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)")
        let value: T
        do {
            value = try await body(self)
        } catch {
            if isUsable {
                do {
                    try await execute(unsafeSQL: "ROLLBACK")
                } catch {
                    logger.warning("rollback failed", metadata: ["error": "\(error)"])
                }
            }
            throw error
        }
        try await execute(unsafeSQL: "COMMIT")
        return value
    }
}

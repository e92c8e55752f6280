/// Transaction isolation levels.
public enum PostgresIsolation: String, Sendable {
    case readCommitted = "READ COMMITTED"
    case repeatableRead = "REPEATABLE READ"
    case serializable = "SERIALIZABLE"
}

extension PostgresConnection {
    /// Runs `body` in a transaction: it commits when `body` returns and rolls back when it throws.
    ///
    /// The `BEGIN` is not sent on its own: it goes with `body`'s first statement, in its
    /// round trip (a pipeline). A `body` that sends nothing costs nothing.
    /// - Parameter settings: run-time parameters set for this transaction only (`SET LOCAL`),
    ///   sent with the `BEGIN`.
    @discardableResult
    public func withTransaction<T>(
        isolation: PostgresIsolation = .readCommitted,
        settings: [(name: String, value: String)] = [],
        isolation actor: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var begin = ["BEGIN ISOLATION LEVEL \(isolation.rawValue)"]
        for setting in settings {
            guard setting.name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == ".") }) else {
                throw PostgresError(code: .invalidParameter, message: "not a setting name: \(setting.name)")
            }
            begin.append("SET LOCAL \(setting.name) = \(try Self.literal(setting.value))")
        }
        deferUntilNextCommand(begin)
        let value: T
        do {
            value = try await body(self)
        } catch {
            // Nothing sent yet: no transaction to roll back.
            let committed = takeCommittedInPipeline()
            if !discardDeferred(), !committed, isUsable {
                do {
                    try await execute(unsafeSQL: "ROLLBACK")
                } catch {
                    logger.warning("rollback failed", metadata: ["error": "\(error)"])
                }
            }
            throw error
        }
        let committed = takeCommittedInPipeline()
        if !discardDeferred(), !committed {
            try await execute(unsafeSQL: "COMMIT")
        }
        return value
    }
}

extension PostgresConnection {
    /// A standard-conforming string literal (`standard_conforming_strings` is on since
    /// PostgreSQL 9.1): quotes doubled, NUL refused.
    static func literal(_ value: String) throws -> String {
        guard !value.unicodeScalars.contains("\u{0}") else {
            throw PostgresError(code: .invalidParameter, message: "a setting contains a NUL character")
        }
        return "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }
}

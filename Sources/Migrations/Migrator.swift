import Foundation
import Logging
import Postgres

/// Where a migration file stands against a database.
public enum MigrationState: Sendable, Equatable {
    case applied(at: Date)
    case pending
    /// Applied, but the file has changed since.
    case changed
    /// Recorded in the database, but no file has this name.
    case unknown
}

/// Applies the files of `migrations/` in order.
///
/// Each file runs in its own transaction together with its row in the ledger
/// (`central.schema_migrations`, created by the first file), all under a session
/// advisory lock: a second migrator waits, then finds nothing left to do. An applied
/// file whose checksum changed, or a ledger row without a file, stops everything before
/// any change.
public struct Migrator: Sendable {
    public let files: [MigrationFile]
    let configuration: PostgresConfiguration
    let logger: Logger

    /// Key of the advisory lock that serializes migrators (any constant unique to campaignd).
    static let lockKey = 7_311_447_302_201_415_001

    public init(files: [MigrationFile], configuration: PostgresConfiguration, logger: Logger) {
        self.files = files
        self.configuration = configuration
        self.logger = logger
    }

    /// Each file and its state, plus ledger rows that have no file.
    public func status() async throws -> [(name: String, state: MigrationState)] {
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        defer { connection.close() }
        let applied = try await Self.ledger(connection)
        var report = files.map { file -> (name: String, state: MigrationState) in
            guard let row = applied[file.name] else { return (file.name, .pending) }
            return (file.name, row.checksum == file.checksum ? .applied(at: row.appliedAt) : .changed)
        }
        let known = Set(files.map(\.name))
        report += applied.keys.filter { !known.contains($0) }.sorted().map { ($0, .unknown) }
        return report
    }

    /// Applies pending files (or, with `dryRun`, only lists them).
    /// - Parameter progress: called with one line per file.
    /// - Returns: the names of the files applied (or that would be).
    @discardableResult
    public func migrate(dryRun: Bool = false, progress: @Sendable (String) -> Void = { _ in }) async throws
        -> [String]
    {
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        defer { connection.close() }
        try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
        do {
            let applied = try await apply(on: connection, dryRun: dryRun, progress: progress)
            try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            return applied
        } catch {
            // Closing the session releases the lock as well, but say so explicitly when we can.
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
            throw error
        }
    }

    private func apply(on connection: PostgresConnection, dryRun: Bool, progress: (String) -> Void) async throws
        -> [String]
    {
        let applied = try await Self.ledger(connection)
        let known = Set(files.map(\.name))
        if let stray = applied.keys.sorted().first(where: { !known.contains($0) }) {
            throw MigrationError(
                "the database has migration \(stray) applied, but no such file exists: "
                    + "is this campaignd older than the database?")
        }
        for file in files {
            if let row = applied[file.name], row.checksum != file.checksum {
                throw MigrationError(
                    "\(file.name) was changed after it was applied (checksum \(row.checksum.prefix(12))… "
                        + "in the database, \(file.checksum.prefix(12))… on disk): restore it and add a new file instead")
            }
        }
        let pending = files.filter { applied[$0.name] == nil }
        if pending.isEmpty { progress("database is up to date (\(files.count) migrations)") }
        for file in pending {
            if dryRun {
                progress("would apply \(file.name)")
                continue
            }
            let started = ContinuousClock.now
            do {
                try await connection.withTransaction { connection in
                    try await connection.execute(unsafeSQL: file.sql)
                    let elapsed = ContinuousClock.now - started
                    let milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
                    try await connection.query(
                        """
                        INSERT INTO central.schema_migrations (name, checksum, duration_ms)
                        VALUES (\(file.name), \(file.checksum), \(milliseconds))
                        """)
                    progress("applied \(file.name) in \(milliseconds) ms")
                }
            } catch let error as PostgresError {
                throw MigrationError("\(file.name) failed and was rolled back: " + describe(error, in: file))
            }
        }
        return pending.map(\.name)
    }

    private func describe(_ error: PostgresError, in file: MigrationFile) -> String {
        var text = error.message
        if let sqlState = error.sqlState { text += " (SQLSTATE \(sqlState))" }
        if let position = error.position {
            let prefix = file.sql.prefix(position)
            text += " at line \(prefix.split(separator: "\n", omittingEmptySubsequences: false).count)"
        }
        return text
    }

    struct LedgerRow {
        var checksum: String
        var appliedAt: Date
    }

    static func ledger(_ connection: PostgresConnection) async throws -> [String: LedgerRow] {
        let exists = try await connection.query("SELECT to_regclass('central.schema_migrations') IS NOT NULL AS present")
        guard try exists.first?.decode(Bool.self, "present") == true else { return [:] }
        let rows = try await connection.query("SELECT name, checksum, applied_at FROM central.schema_migrations")
        var ledger: [String: LedgerRow] = [:]
        for row in rows {
            ledger[try row.decode(String.self, "name")] = LedgerRow(
                checksum: try row.decode(String.self, "checksum"), appliedAt: try row.decode(Date.self, "applied_at"))
        }
        return ledger
    }
}

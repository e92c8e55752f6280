import Logging
import Migrations
import NIOConcurrencyHelpers
import Postgres

/// Answers "can this daemon serve?": the database answers and every migration file
/// this build knows is applied, unchanged. Extra applied migrations (a newer daemon
/// migrated first, during a rolling restart) do not make it unready.
public final class Readiness: Sendable {
    let pool: PostgresPool
    let files: [MigrationFile]
    /// Once migrations are found current they stay current: only reachability is rechecked.
    private let migrationsCurrent = NIOLockedValueBox(false)

    public init(pool: PostgresPool, files: [MigrationFile]) {
        self.pool = pool
        self.files = files
    }

    /// `nil` when ready, else the reason.
    public func problem() async -> String? {
        do {
            let current = migrationsCurrent.withLockedValue { $0 }
            let rows = try await pool.withConnection { connection in
                try await connection.query(
                    current
                        ? "SELECT NULL::text AS name, NULL::text AS checksum"
                        : """
                        SELECT name, checksum FROM central.schema_migrations
                        WHERE to_regclass('central.schema_migrations') IS NOT NULL
                        """)
            }
            if current { return nil }
            var applied: [String: String] = [:]
            for row in rows { applied[try row.decode(String.self, "name")] = try row.decode(String.self, "checksum") }
            let missing = files.filter { applied[$0.name] != $0.checksum }.map(\.name)
            guard missing.isEmpty else {
                return "migrations not applied or changed: " + missing.joined(separator: ", ")
            }
            migrationsCurrent.withLockedValue { $0 = true }
            return nil
        } catch let error as PostgresError where error.sqlState == PostgresError.SQLState.undefinedTable {
            return "database not migrated: run campaignd migrate"
        } catch {
            return "database unreachable: \(error)"
        }
    }
}

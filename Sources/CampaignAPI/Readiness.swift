import Domain
import Logging
import Migrations
import NIOConcurrencyHelpers
import Postgres
import Store

/// Answers "can this daemon serve?": the database answers and every migration file
/// this build knows is applied, unchanged. Extra applied migrations (a newer daemon
/// migrated first, during a rolling restart) do not make it unready.
public final class Readiness: Sendable {
    let pool: PostgresPool
    let files: [MigrationFile]
    let replicas: ReplicaSet?
    /// Once migrations are found current they stay current: only reachability is rechecked.
    private let migrationsCurrent = NIOLockedValueBox(false)

    public init(pool: PostgresPool, files: [MigrationFile], replicas: ReplicaSet? = nil) {
        self.pool = pool
        self.files = files
        self.replicas = replicas.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Each hot standby as `/readyz` shows it (`url_redacted, lag_seconds, used`); a
    /// standby skipped does not make the daemon unready: its reads go to the primary.
    var replicaReport: JSONValue? {
        replicas.map { replicas in
            .array(
                replicas.statuses.map { status in
                    .object([
                        "url_redacted": .string(status.redactedURL),
                        "lag_seconds": status.lagSeconds.flatMap { JSONNumber(($0 * 1000).rounded() / 1000) }.map(JSONValue.number) ?? .null,
                        "used": .bool(status.used), "problem": .text(status.problem),
                    ])
                })
        }
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

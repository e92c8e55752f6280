import Domain
import Foundation
import Postgres

/// A queued piece of work (`central.jobs`).
public struct Job: Sendable, Equatable {
    public var id: Int
    public var kind: String
    public var packageID: Int?
    public var revision: Int?
    public var uniqueKey: String?
    public var payload: [String: JSONValue]
    public var status: String
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lastError: String?
    public var createdBy: String
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
}

/// Enqueueing and reading jobs; the workers' claim and completion live in the Jobs floor.
public struct JobRepository: Sendable {
    let connection: PostgresConnection

    public static let wakeChannel = "campaignd_jobs"

    static let columns: PostgresQuery =
        """
        id, kind, package_id, revision, unique_key, payload, status, attempts, max_attempts, run_at, last_error,
        created_by, created_at, started_at, finished_at
        """

    /// Records a job in the current transaction (and wakes the workers when it commits).
    /// A job with the same `uniqueKey` is returned instead of a new one.
    public func enqueue(
        kind: String, packageID: Int?, revision: Int?, uniqueKey: String?, payload: [String: JSONValue],
        runAt: Date? = nil, by actor: Principal?
    ) async throws -> Job {
        let rows = try await connection.query(
            """
            INSERT INTO central.jobs (kind, package_id, revision, unique_key, payload, run_at, created_by)
            VALUES (\(kind), \(packageID), \(revision), \(uniqueKey), \(JSONValue.object(payload)),
                    coalesce(\(runAt), now()), \(actor?.actorName ?? "system"))
            ON CONFLICT (unique_key) DO NOTHING
            RETURNING \(Self.columns)
            """)
        if let row = rows.first {
            try await connection.notify(channel: Self.wakeChannel, payload: kind)
            return try Self.decode(row)
        }
        let existing = try await connection.query(
            "SELECT \(Self.columns) FROM central.jobs WHERE unique_key = \(uniqueKey)")
        return try Self.decode(existing[0])
    }

    public func find(_ id: Int) async throws -> Job? {
        try await connection.query("SELECT \(Self.columns) FROM central.jobs WHERE id = \(id)").first.map(Self.decode)
    }

    public func require(_ id: Int) async throws -> Job {
        guard let job = try await find(id) else { throw StoreError.notFound("job \(id)") }
        return job
    }

    /// Jobs with one of `statuses` (all when empty), newest first, ids below `cursor`.
    public func list(statuses: [String], before cursor: Int?, limit: Int) async throws -> [Job] {
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM central.jobs
            WHERE (cardinality(\(statuses)) = 0 OR status = ANY(\(statuses)))
              AND (\(cursor) IS NULL OR id < \(cursor))
            ORDER BY id DESC LIMIT \(limit)
            """)
        return try rows.map(Self.decode)
    }

    static func decode(_ row: PostgresRow) throws -> Job {
        Job(
            id: try row.decode(Int.self, "id"), kind: try row.decode(String.self, "kind"),
            packageID: try row.decode(Int?.self, "package_id"), revision: try row.decode(Int?.self, "revision"),
            uniqueKey: try row.decode(String?.self, "unique_key"),
            payload: try row.decodeObject("payload"), status: try row.decode(String.self, "status"),
            attempts: try row.decode(Int.self, "attempts"), maxAttempts: try row.decode(Int.self, "max_attempts"),
            runAt: try row.decode(Date.self, "run_at"), lastError: try row.decode(String?.self, "last_error"),
            createdBy: try row.decode(String.self, "created_by"), createdAt: try row.decode(Date.self, "created_at"),
            startedAt: try row.decode(Date?.self, "started_at"), finishedAt: try row.decode(Date?.self, "finished_at"))
    }
}

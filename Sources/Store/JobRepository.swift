import Domain
import Foundation
import Postgres

/// A queued piece of work (`central.jobs`).
public struct Job: Sendable, Equatable {
    public var id: Int
    public var kind: JobKind
    public var packageID: Int?
    public var revision: Int?
    public var uniqueKey: String?
    /// The kind's typed payload, as stored; read it with ``payload(as:)``.
    public var payload: [String: JSONValue]
    public var status: JobStatus
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    public var lastError: String?
    public var createdBy: String
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// What the finished job reports, for kinds that report something (`bulk_orders`).
    public var result: JSONValue? = nil

    /// The payload as the kind's `Codable` type.
    public func payload<Payload: Decodable>(as type: Payload.Type) throws -> Payload {
        do {
            return try JSONValue.object(payload).decode(as: type)
        } catch {
            throw PostgresError(code: .decoding, message: "the payload of job \(id) is not a \(kind) payload: \(error)")
        }
    }
}

/// Enqueueing, reading and retrying jobs; the workers' claim, lease and completion live
/// in the Jobs floor (`JobQueue`).
public struct JobRepository: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    public static let wakeChannel = "campaignd_jobs"

    /// The columns ``decode(_:)`` reads.
    public static let columns: PostgresQuery =
        """
        id, kind, package_id, revision, unique_key, payload, status, attempts, max_attempts, run_at, last_error,
        created_by, created_at, started_at, finished_at, result
        """

    /// Records a job in the current transaction (and wakes the workers when it commits).
    /// A job with the same `uniqueKey` is returned instead of a new one.
    public func enqueue(
        kind: JobKind, packageID: Int?, revision: Int?, uniqueKey: String?, payload: some Codable & Sendable,
        runAt: Date? = nil, by actor: Principal?
    ) async throws -> Job {
        let rows = try await connection.query(
            """
            INSERT INTO central.jobs (kind, package_id, revision, unique_key, payload, run_at, created_by)
            VALUES (\(kind.rawValue), \(packageID), \(revision), \(uniqueKey), \(PostgresJSON(payload)),
                    coalesce(\(runAt), now()), \(actor?.actorName ?? "system"))
            ON CONFLICT (unique_key) DO NOTHING
            RETURNING \(Self.columns)
            """)
        if let row = rows.first {
            try await connection.notify(channel: Self.wakeChannel, payload: kind.rawValue)
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
    public func list(statuses: [JobStatus], before cursor: Int?, limit: Int) async throws -> [Job] {
        let statuses = statuses.map(\.rawValue)
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM central.jobs
            WHERE (cardinality(\(statuses)) = 0 OR status = ANY(\(statuses)))
              AND (\(cursor) IS NULL OR id < \(cursor))
            ORDER BY id DESC LIMIT \(limit)
            """)
        return try rows.map(Self.decode)
    }

    /// A failed job goes back to the queue with fresh attempts.
    public func retry(_ id: Int, by actor: Principal) async throws -> Job {
        let job = try await require(id)
        guard job.status == .failed else {
            throw StoreError.invalidTransition(
                TransitionRefusal(from: job.status.rawValue, action: "retry", reason: "only a failed job can be retried"))
        }
        let rows = try await connection.query(
            """
            UPDATE central.jobs SET status = \(JobStatus.queued.rawValue), attempts = 0, run_at = now(), finished_at = NULL,
                started_at = NULL, lease_expires_at = NULL, worker = NULL
            WHERE id = \(id) RETURNING \(Self.columns)
            """)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "retry", subject: "job", subjectID: id, packageID: job.packageID,
            before: .object(["status": .string(JobStatus.failed.rawValue)]),
            after: .object(["status": .string(JobStatus.queued.rawValue)]))
        try await connection.notify(channel: Self.wakeChannel, payload: job.kind.rawValue)
        return try Self.decode(rows[0])
    }

    /// Queue depth and age of the oldest due job, for metrics.
    public func depth() async throws -> (queued: Int, oldestAgeSeconds: Double) {
        let row = try await connection.query(
            """
            SELECT count(*) AS queued,
                   coalesce(extract(epoch FROM now() - min(run_at))::float8, 0) AS oldest
            FROM central.jobs WHERE status = \(JobStatus.queued.rawValue) AND run_at <= now()
            """)[0]
        return (try row.decode(Int.self, "queued"), try row.decode(Double.self, "oldest"))
    }

    /// A job row of ``columns``.
    public static func decode(_ row: PostgresRow) throws -> Job {
        let kind = try row.decode(String.self, "kind")
        let statusText = try row.decode(String.self, "status")
        guard let status = JobStatus(rawValue: statusText) else {
            throw PostgresError(code: .decoding, message: "unknown job status \(statusText)")
        }
        return Job(
            id: try row.decode(Int.self, "id"), kind: JobKind(kind),
            packageID: try row.decode(Int?.self, "package_id"), revision: try row.decode(Int?.self, "revision"),
            uniqueKey: try row.decode(String?.self, "unique_key"),
            payload: try row.decodeObject("payload"), status: status,
            attempts: try row.decode(Int.self, "attempts"), maxAttempts: try row.decode(Int.self, "max_attempts"),
            runAt: try row.decode(Date.self, "run_at"), lastError: try row.decode(String?.self, "last_error"),
            createdBy: try row.decode(String.self, "created_by"), createdAt: try row.decode(Date.self, "created_at"),
            startedAt: try row.decode(Date?.self, "started_at"), finishedAt: try row.decode(Date?.self, "finished_at"),
            result: try row.decode(JSONValue?.self, "result"))
    }

    /// Records what the job did, in the transaction that applies its effects.
    public func setResult(of id: Int, _ result: JSONValue) async throws {
        try await connection.query("UPDATE central.jobs SET result = \(result) WHERE id = \(id)")
    }
}

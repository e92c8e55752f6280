import Domain
import Foundation
import Postgres

/// A job a worker holds: the claim's attempt number fences it, so that a worker whose
/// lease expired (and whose job was claimed again) cannot complete it.
public struct ClaimedJob: Sendable, Equatable {
    public var job: Job
    public var attempt: Int { job.attempts }
}

extension JobRepository {
    /// Claims up to `limit` due jobs, in due order, in one statement (`FOR UPDATE SKIP
    /// LOCKED`: concurrent workers never get the same one), and leases them to `worker`
    /// until now + `lease`.
    public func claim(worker: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        try await connection.query(
            """
            UPDATE central.jobs SET status = 'running', attempts = attempts + 1, started_at = now(),
                lease_expires_at = now() + \(lease.seconds) * interval '1 second', worker = \(worker)
            WHERE id IN (
                SELECT id FROM central.jobs WHERE status = 'queued' AND run_at <= now()
                ORDER BY run_at, id LIMIT \(max(1, limit)) FOR UPDATE SKIP LOCKED)
            RETURNING \(Self.columns)
            """
        ).map { ClaimedJob(job: try Self.decode($0)) }.sorted { ($0.job.runAt, $0.job.id) < ($1.job.runAt, $1.job.id) }
    }

    /// Inside the job's transaction: locks the job row and checks it is still ours.
    public func confirm(_ claimed: ClaimedJob) async throws -> Bool {
        try await confirm([claimed]).contains(claimed.job.id)
    }

    /// Inside the jobs' transaction: locks the rows of the jobs still ours (claimed by
    /// these attempts, not taken back since) and returns their ids.
    public func confirm(_ claimed: [ClaimedJob]) async throws -> Set<Int> {
        Set(
            try await connection.query(
                """
                SELECT id FROM central.jobs
                WHERE (id, attempts) IN (SELECT * FROM unnest(\(claimed.map(\.job.id)), \(claimed.map(\.attempt))))
                  AND status = 'running'
                ORDER BY id FOR UPDATE
                """
            ).map { try $0.decode(Int.self, "id") })
    }

    /// Inside the job's transaction, after its effects: `finished_at` is the moment just
    /// before the commit.
    public func markSucceeded(_ claimed: ClaimedJob) async throws {
        try await markSucceeded([claimed])
    }

    /// The same for several jobs, in one statement.
    public func markSucceeded(_ claimed: [ClaimedJob]) async throws {
        try await connection.query(
            """
            UPDATE central.jobs SET status = 'succeeded', finished_at = clock_timestamp(), lease_expires_at = NULL,
                last_error = NULL
            WHERE (id, attempts) IN (SELECT * FROM unnest(\(claimed.map(\.job.id)), \(claimed.map(\.attempt))))
            """)
    }

    /// After a failed attempt: queued again at now + `backoff`, or `failed` once the
    /// attempts are used up. Returns the new status.
    @discardableResult
    public func markFailed(_ claimed: ClaimedJob, error: String, backoff: Duration) async throws -> String? {
        let rows = try await connection.query(
            """
            UPDATE central.jobs SET
                status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                finished_at = CASE WHEN attempts >= max_attempts THEN clock_timestamp() END,
                run_at = now() + \(backoff.seconds) * interval '1 second',
                lease_expires_at = NULL, last_error = \(String(error.prefix(2000)))
            WHERE id = \(claimed.job.id) AND status = 'running' AND attempts = \(claimed.attempt)
            RETURNING status
            """)
        return try rows.first?.decode(String.self, "status")
    }

    /// Gives claimed jobs back untouched (shutdown before they ran): the attempt is not counted.
    public func giveBack(_ claimed: [ClaimedJob]) async throws {
        try await connection.query(
            """
            UPDATE central.jobs SET status = 'queued', attempts = attempts - 1, lease_expires_at = NULL, worker = NULL,
                started_at = NULL
            WHERE (id, attempts) IN (SELECT * FROM unnest(\(claimed.map(\.job.id)), \(claimed.map(\.attempt))))
              AND status = 'running'
            """)
    }

    /// Extends the leases of jobs still being worked on. A row locked by the jobs' own
    /// transaction is skipped: while that transaction lives, nobody can take the job anyway.
    public func heartbeat(_ claimed: [ClaimedJob], lease: Duration) async throws {
        try await connection.query(
            """
            UPDATE central.jobs SET lease_expires_at = now() + \(lease.seconds) * interval '1 second'
            WHERE id IN (
                SELECT id FROM central.jobs
                WHERE (id, attempts) IN (SELECT * FROM unnest(\(claimed.map(\.job.id)), \(claimed.map(\.attempt))))
                  AND status = 'running'
                FOR UPDATE SKIP LOCKED)
            """)
    }

    /// Requeues jobs whose worker stopped renewing its lease (it crashed or lost the
    /// database). The attempt counts: a job that keeps killing workers ends up failed.
    @discardableResult
    public func reapExpiredLeases() async throws -> Int {
        try await connection.query(
            """
            UPDATE central.jobs SET
                status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                finished_at = CASE WHEN attempts >= max_attempts THEN clock_timestamp() END,
                run_at = now(), lease_expires_at = NULL,
                last_error = 'the lease of worker ' || coalesce(worker, '?') || ' expired'
            WHERE id IN (SELECT id FROM central.jobs WHERE status = 'running' AND lease_expires_at < now()
                         FOR UPDATE SKIP LOCKED)
            """
        ).affectedRows
    }

    /// A failed job goes back to the queue with fresh attempts; `nil` when not failed.
    public func retry(_ id: Int, by actor: Principal) async throws -> Job {
        let job = try await require(id)
        guard job.status == "failed" else {
            throw StoreError.invalidTransition(
                TransitionRefusal(from: job.status, action: "retry", reason: "only a failed job can be retried"))
        }
        let rows = try await connection.query(
            """
            UPDATE central.jobs SET status = 'queued', attempts = 0, run_at = now(), finished_at = NULL,
                started_at = NULL, lease_expires_at = NULL, worker = NULL
            WHERE id = \(id) RETURNING \(Self.columns)
            """)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "retry", subject: "job", subjectID: id, packageID: job.packageID,
            before: .object(["status": .string("failed")]), after: .object(["status": .string("queued")]))
        try await connection.notify(channel: Self.wakeChannel, payload: job.kind)
        return try Self.decode(rows[0])
    }

    /// Deletes finished jobs older than `retention` (in batches; jobs a package still
    /// points at are kept) and expired idempotency keys. Returns the jobs deleted.
    @discardableResult
    public func prune(retention: Duration, batch: Int = 1000) async throws -> Int {
        let deleted = try await connection.query(
            """
            DELETE FROM central.jobs WHERE id IN (
                SELECT j.id FROM central.jobs j
                WHERE j.status IN ('succeeded', 'failed')
                  AND j.finished_at < now() - \(retention.seconds) * interval '1 second'
                  AND NOT EXISTS (SELECT 1 FROM central.packages p WHERE p.pending_job_id = j.id)
                LIMIT \(batch))
            """
        ).affectedRows
        try await connection.query(
            """
            DELETE FROM central.idempotency_keys WHERE ctid IN (
                SELECT ctid FROM central.idempotency_keys WHERE created_at < now() - interval '24 hours' LIMIT \(batch))
            """)
        return deleted
    }

    /// Queue depth and age of the oldest due job, for metrics.
    public func depth() async throws -> (queued: Int, oldestAgeSeconds: Double) {
        let row = try await connection.query(
            """
            SELECT count(*) AS queued,
                   coalesce(extract(epoch FROM now() - min(run_at))::float8, 0) AS oldest
            FROM central.jobs WHERE status = 'queued' AND run_at <= now()
            """)[0]
        return (try row.decode(Int.self, "queued"), try row.decode(Double.self, "oldest"))
    }
}

extension Duration {
    /// Whole and fractional seconds, for SQL intervals.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

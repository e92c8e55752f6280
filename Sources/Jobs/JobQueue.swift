import Domain
import Foundation
import Postgres
import Store

/// A job a worker holds: the claim's attempt number fences it, so that a worker whose
/// lease expired (and whose job was claimed again) cannot complete it.
public struct ClaimedJob: Sendable, Equatable {
    public var job: Job
    public var attempt: Int { job.attempts }
}

/// The queue's own SQL over `central.jobs`: claim, confirm, lease, complete, back off,
/// reap, prune. The rows are Store's (`JobRepository` enqueues and reads them); what a
/// worker does with them is here.
///
/// Claims use `FOR UPDATE SKIP LOCKED`, so concurrent workers never get the same job;
/// every completion names the attempt it belongs to, so a worker that lost its lease
/// changes nothing.
public struct JobQueue: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    private static let queued = JobStatus.queued.rawValue
    private static let running = JobStatus.running.rawValue
    private static let succeeded = JobStatus.succeeded.rawValue
    private static let failed = JobStatus.failed.rawValue

    /// Claims up to `limit` due jobs for `worker`, in a transaction of their own that does
    /// not wait for its WAL to reach the disk (`synchronous_commit = off`). Losing a claim
    /// costs nothing: should PostgreSQL crash before the claim is flushed, the jobs are
    /// simply queued again, unattempted. The transaction that runs the jobs commits
    /// synchronously, and its flush carries the claim's WAL with it.
    public static func claim(in store: Store, worker: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        try await store.pool.withTransaction(settings: [(name: "synchronous_commit", value: "off")], retryOnConflict: true) {
            try await JobQueue(connection: $0).claim(worker: worker, lease: lease, limit: limit)
        }
    }

    /// Claims up to `limit` due jobs, in due order, in one statement, and leases them to
    /// `worker` until now + `lease`.
    public func claim(worker: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        try Self.claimed(try await connection.query(Self.claimQuery(worker: worker, lease: lease, limit: limit)))
    }

    /// "Now" is the statement's time, not the transaction's: a worker also claims at the
    /// end of a batch's transaction (see `markSucceededAndCommit`).
    private static func claimQuery(worker: String, lease: Duration, limit: Int) -> PostgresQuery {
        """
        UPDATE central.jobs SET status = \(Self.running), attempts = attempts + 1, started_at = statement_timestamp(),
            lease_expires_at = statement_timestamp() + \(lease.seconds) * interval '1 second', worker = \(worker)
        WHERE id IN (
            SELECT id FROM central.jobs WHERE status = \(Self.queued) AND run_at <= statement_timestamp()
            ORDER BY run_at, id LIMIT \(max(1, limit)) FOR UPDATE SKIP LOCKED)
        RETURNING \(JobRepository.columns)
        """
    }

    private static func claimed(_ rows: PostgresRows) throws -> [ClaimedJob] {
        try rows.map { ClaimedJob(job: try JobRepository.decode($0)) }
            .sorted { ($0.job.runAt, $0.job.id) < ($1.job.runAt, $1.job.id) }
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
                  AND status = \(Self.running)
                ORDER BY id FOR UPDATE
                """
            ).map { try $0.decode(Int.self, "id") })
    }

    /// Inside the jobs' transaction, after their effects, in one statement: `finished_at`
    /// is the moment just before the commit.
    public func markSucceeded(_ claimed: [ClaimedJob]) async throws {
        try await connection.query(Self.succeededQuery(claimed))
    }

    /// The jobs' last statements: `markSucceeded`, then a claim of up to `limit` more jobs
    /// for `worker`, then the commit, all in one round trip: the claim commits with the jobs.
    public func markSucceededAndCommit(
        _ claimed: [ClaimedJob], thenClaim limit: Int, worker: String, lease: Duration
    ) async throws -> [ClaimedJob] {
        let rows = try await connection.pipelineAndCommit([
            Self.succeededQuery(claimed), Self.claimQuery(worker: worker, lease: lease, limit: limit),
        ])
        return try Self.claimed(rows[1])
    }

    private static func succeededQuery(_ claimed: [ClaimedJob]) -> PostgresQuery {
        """
        UPDATE central.jobs SET status = \(Self.succeeded), finished_at = clock_timestamp(), lease_expires_at = NULL,
            last_error = NULL
        WHERE (id, attempts) IN (SELECT * FROM unnest(\(claimed.map(\.job.id)), \(claimed.map(\.attempt))))
        """
    }

    /// After a failed attempt: queued again at now + `backoff`, or `failed` once the
    /// attempts are used up. Returns the new status (`nil`: the attempt was not ours any more).
    @discardableResult
    public func markFailed(_ claimed: ClaimedJob, error: String, backoff: Duration) async throws -> JobStatus? {
        let rows = try await connection.query(
            """
            UPDATE central.jobs SET
                status = CASE WHEN attempts >= max_attempts THEN \(Self.failed) ELSE \(Self.queued) END,
                finished_at = CASE WHEN attempts >= max_attempts THEN clock_timestamp() END,
                run_at = now() + \(backoff.seconds) * interval '1 second',
                lease_expires_at = NULL, last_error = \(String(error.prefix(2000)))
            WHERE id = \(claimed.job.id) AND status = \(Self.running) AND attempts = \(claimed.attempt)
            RETURNING id, kind, package_id, attempts, status, last_error
            """)
        try await recordFailures(rows)
        return try rows.first.flatMap { JobStatus(rawValue: try $0.decode(String.self, "status")) }
    }

    /// A `job_failed` central event for each of the rows (of `central.jobs`) that failed
    /// for good, in the transaction that failed them.
    private func recordFailures(_ rows: PostgresRows) async throws {
        for row in rows where try row.decode(String.self, "status") == Self.failed {
            let id = try row.decode(Int.self, "id")
            let attempts = try row.decode(Int.self, "attempts")
            let error = try row.decode(String?.self, "last_error") ?? "?"
            try await EventWriter(connection: connection).record(
                .jobFailed, packageID: try row.decode(Int?.self, "package_id"),
                comment: "job \(id) (\(try row.decode(String.self, "kind"))) failed after \(attempts) attempts: \(error.prefix(500))",
                eventKey: "\(EventKind.jobFailed.rawValue):\(id):\(attempts)")
        }
    }

    /// Gives claimed jobs back untouched (shutdown before they ran): the attempt is not counted.
    public func giveBack(_ claimed: [ClaimedJob]) async throws {
        try await connection.query(
            """
            UPDATE central.jobs SET status = \(Self.queued), attempts = attempts - 1, lease_expires_at = NULL,
                worker = NULL, started_at = NULL
            WHERE (id, attempts) IN (SELECT * FROM unnest(\(claimed.map(\.job.id)), \(claimed.map(\.attempt))))
              AND status = \(Self.running)
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
                  AND status = \(Self.running)
                FOR UPDATE SKIP LOCKED)
            """)
    }

    /// Requeues jobs whose worker stopped renewing its lease (it crashed or lost the
    /// database). The attempt counts: a job that keeps killing workers ends up failed.
    @discardableResult
    public func reapExpiredLeases() async throws -> Int {
        let rows = try await connection.query(
            """
            UPDATE central.jobs SET
                status = CASE WHEN attempts >= max_attempts THEN \(Self.failed) ELSE \(Self.queued) END,
                finished_at = CASE WHEN attempts >= max_attempts THEN clock_timestamp() END,
                run_at = now(), lease_expires_at = NULL,
                last_error = 'the lease of worker ' || coalesce(worker, '?') || ' expired'
            WHERE id IN (SELECT id FROM central.jobs WHERE status = \(Self.running) AND lease_expires_at < now()
                         FOR UPDATE SKIP LOCKED)
            RETURNING id, kind, package_id, attempts, status, last_error
            """)
        try await recordFailures(rows)
        return rows.count
    }

    /// Deletes, in one batch, finished jobs older than `retention` (jobs a package still
    /// points at are kept). Returns the jobs deleted.
    @discardableResult
    public func prune(retention: Duration, batch: Int = 1000) async throws -> Int {
        try await connection.query(
            """
            DELETE FROM central.jobs WHERE id IN (
                SELECT j.id FROM central.jobs j
                WHERE j.status IN (\(Self.succeeded), \(Self.failed))
                  AND j.finished_at < now() - \(retention.seconds) * interval '1 second'
                  AND NOT EXISTS (SELECT 1 FROM central.packages p WHERE p.pending_job_id = j.id)
                LIMIT \(batch))
            """
        ).affectedRows
    }
}

extension StoreTransaction {
    /// The queue's SQL in this transaction.
    public var queue: JobQueue { JobQueue(connection: connection) }
}

import Domain
import Foundation
import Jobs
import Logging
import Postgres
import ServiceLifecycle
import Store
import Synchronization
import TestSupport
import Testing

/// A handler that fails while `failing` is set, for the retry path.
final class FlakyJob: JobHandler {
    let failing = Mutex(true)
    let runs = Mutex(0)
    var kind: JobKind { JobKind("flaky") }
    func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        runs.withLock { $0 += 1 }
        // A write that must be rolled back with the failed attempt.
        try await transaction.connection.query("INSERT INTO flaky_effects VALUES (\(job.id))")
        if failing.withLock({ $0 }) { throw FlakyFailure() }
    }
}

/// Records each run with its transaction id, to see which jobs committed together.
final class CountingJob: JobHandler {
    let runs = Mutex(0)
    let delay: Duration
    init(delay: Duration = .zero) { self.delay = delay }
    var kind: JobKind { JobKind("counting") }
    func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        runs.withLock { $0 += 1 }
        if delay > .zero { try await Task.sleep(for: delay) }
        try await transaction.connection.query("INSERT INTO counted_effects VALUES (\(job.id), txid_current())")
    }
}

/// Records, for each job it runs, its transaction and the transaction that last wrote the
/// job's row before it ran: the one that claimed it.
struct ClaimRecordingJob: JobHandler {
    var kind: JobKind { JobKind("claim_recording") }
    func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        try await transaction.connection.query(
            """
            INSERT INTO claim_records
            SELECT \(job.id), txid_current(), xmin::text::bigint FROM central.jobs WHERE id = \(job.id)
            """)
    }
}

struct FlakyFailure: Error, CustomStringConvertible {
    var description: String { "the flaky handler failed on purpose" }
}

@Suite struct EngineTests {
    static let logger = Logger(label: "jobs-tests")

    /// Runs workers in-process for the duration of `body`.
    func withWorkers(
        _ pool: PostgresPool, handlers: [any JobHandler], options: JobQueueOptions,
        _ body: () async throws -> Void
    ) async throws {
        let workers = JobWorkers(store: Store(pool: pool), handlers: handlers, options: options, logger: Self.logger)
        let group = ServiceGroup(services: [workers], logger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                try await body()
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    func job(_ id: Int, _ pool: PostgresPool) async throws -> Job {
        try await Store(pool: pool).transaction { try await $0.jobs.require(id) }
    }

    @Test(.database) func aFailingJobIsRetriedWithBackoffThenFailsThenRetrySucceeds() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection { try await $0.query("CREATE TABLE flaky_effects (job_id bigint)") }
        let id = try await pool.withConnection {
            try await $0.query(
                "INSERT INTO central.jobs (kind, max_attempts, created_by) VALUES ('flaky', 3, 'test') RETURNING id"
            )[0].decode(Int.self, "id")
        }
        let flaky = FlakyJob()
        let options = JobQueueOptions(workers: 1, pollInterval: .milliseconds(50), backoffBase: .milliseconds(200))
        try await withWorkers(pool, handlers: [flaky], options: options) {
            try await waitUntil("the job to fail") { try await job(id, pool).status == .failed }
            let failed = try await job(id, pool)
            #expect(failed.attempts == 3)
            #expect(failed.lastError == "the flaky handler failed on purpose")
            #expect(failed.finishedAt != nil)
            // Backoff: the attempts were spread out, 200 ms then 400 ms (±20 %) at least.
            let spent = try #require(failed.finishedAt).timeIntervalSince(failed.createdAt)
            #expect(spent >= 0.48)
            // Failed attempts left nothing behind.
            #expect(try await pool.withConnection { try await $0.query("SELECT count(*) AS n FROM flaky_effects")[0].decode(Int.self, "n") } == 0)

            flaky.failing.withLock { $0 = false }
            let retried = try await Store(pool: pool).transaction { try await $0.jobs.retry(id, by: .system("test")) }
            #expect(retried.status == .queued)
            #expect(retried.attempts == 0)
            try await waitUntil("the retried job to succeed") { try await job(id, pool).status == .succeeded }
        }
        let done = try await job(id, pool)
        #expect(done.attempts == 1)
        #expect(done.lastError == nil)
        #expect(flaky.runs.withLock { $0 } == 4)
        #expect(try await pool.withConnection { try await $0.query("SELECT count(*) AS n FROM flaky_effects")[0].decode(Int.self, "n") } == 1)
        // Retrying a job that did not fail is refused.
        await #expect(throws: StoreError.self) {
            try await Store(pool: pool).transaction { try await $0.jobs.retry(id, by: .system("test")) }
        }
    }

    /// Inserts `count` jobs of `kind` (before any worker runs, so one claim takes them).
    func insertJobs(_ kind: String, _ count: Int, maxAttempts: Int = 3, _ pool: PostgresPool) async throws -> [Int] {
        try await pool.withConnection {
            try await $0.query(
                """
                INSERT INTO central.jobs (kind, max_attempts, created_by)
                SELECT \(kind), \(maxAttempts), 'test' FROM generate_series(1, \(count)) RETURNING id
                """
            ).map { try $0.decode(Int.self, "id") }
        }
    }

    func count(_ sql: PostgresQuery, _ pool: PostgresPool) async throws -> Int {
        try await pool.withConnection { try await $0.query(sql)[0].decode(Int.self, "n") }
    }

    /// Jobs claimed together run in one transaction: their effects and completions commit
    /// together, once.
    @Test(.database) func aClaimedBatchCommitsTogether() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection { try await $0.query("CREATE TABLE counted_effects (job_id bigint, txid bigint)") }
        let ids = try await insertJobs("counting", 10, pool)
        let counting = CountingJob()
        // A budget no machine reaches: this test is about batches, not their time limit.
        let options = JobQueueOptions(workers: 1, pollInterval: .milliseconds(50), batch: 10, batchBudget: .seconds(60))
        try await withWorkers(pool, handlers: [counting], options: options) {
            try await waitUntil("the jobs to succeed") {
                try await count("SELECT count(*) AS n FROM central.jobs WHERE status = 'succeeded'", pool) == 10
            }
        }
        for id in ids { #expect(try await job(id, pool).attempts == 1) }
        #expect(counting.runs.withLock { $0 } == 10)
        #expect(try await count("SELECT count(*) AS n FROM counted_effects", pool) == 10)
        #expect(try await count("SELECT count(DISTINCT txid) AS n FROM counted_effects", pool) == 1)
    }

    /// A full batch claims the next one in its own transaction, just before it commits:
    /// the second batch was claimed by the first batch's transaction, not by one of its own.
    @Test(.database) func aFullBatchClaimsTheNextOneBeforeItCommits() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection {
            try await $0.query("CREATE TABLE claim_records (job_id bigint, txid bigint, claimed_by bigint)")
        }
        let ids = try await insertJobs("claim_recording", 20, pool)
        let options = JobQueueOptions(workers: 1, pollInterval: .milliseconds(50), batch: 10, batchBudget: .seconds(60))
        try await withWorkers(pool, handlers: [ClaimRecordingJob()], options: options) {
            try await waitUntil("the jobs to succeed") {
                try await count("SELECT count(*) AS n FROM central.jobs WHERE status = 'succeeded'", pool) == 20
            }
        }
        for id in ids { #expect(try await job(id, pool).attempts == 1) }
        let batches = try await pool.withConnection {
            try await $0.query(
                """
                SELECT txid, count(*) AS jobs, array_agg(DISTINCT claimed_by) AS claimed_by
                FROM claim_records GROUP BY txid ORDER BY txid
                """)
        }
        try #require(batches.count == 2, "two batches of ten")
        let first = try batches[0].decode(Int.self, "txid")
        #expect(try batches[1].decode(Int.self, "jobs") == 10)
        // xmin is the 32-bit transaction id; txid_current() adds the epoch (0 here).
        #expect(try batches[1].decode([Int].self, "claimed_by") == [first % (1 << 32)])
        #expect(try batches[0].decode([Int].self, "claimed_by") != [first % (1 << 32)])
    }

    /// Long jobs do not hold a batch: past its time budget, the jobs done commit and the
    /// others go back to the queue unattempted, to be claimed again.
    @Test(.database) func aBatchPastItsBudgetCommitsWhatIsDoneAndGivesTheRestBack() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection { try await $0.query("CREATE TABLE counted_effects (job_id bigint, txid bigint)") }
        let ids = try await insertJobs("counting", 10, pool)
        let slow = CountingJob(delay: .milliseconds(60))
        let options = JobQueueOptions(workers: 1, pollInterval: .milliseconds(50), batch: 10, batchBudget: .milliseconds(100))
        try await withWorkers(pool, handlers: [slow], options: options) {
            try await waitUntil("the jobs to succeed") {
                try await count("SELECT count(*) AS n FROM central.jobs WHERE status = 'succeeded'", pool) == 10
            }
        }
        // At most two 60 ms jobs start within a 100 ms budget: at least 5 transactions.
        #expect(try await count("SELECT count(DISTINCT txid) AS n FROM counted_effects", pool) >= 5)
        #expect(try await count("SELECT count(*) AS n FROM counted_effects", pool) == 10)
        // Jobs given back were not counted as attempted, and none ran twice.
        for id in ids { #expect(try await job(id, pool).attempts == 1) }
        #expect(slow.runs.withLock { $0 } == 10)
    }

    /// A job that fails in a batch rolls the batch back; each job then runs alone, so the
    /// others succeed once and the failure counts for the failing job only.
    @Test(.database) func aFailingJobInABatchFailsAloneAndTheOthersSucceedOnce() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection {
            try await $0.query("CREATE TABLE counted_effects (job_id bigint, txid bigint)")
            try await $0.query("CREATE TABLE flaky_effects (job_id bigint)")
        }
        let good = try await insertJobs("counting", 5, pool)
        let bad = try await insertJobs("flaky", 1, maxAttempts: 1, pool)[0]
        let counting = CountingJob()
        let flaky = FlakyJob()
        let options = JobQueueOptions(workers: 1, pollInterval: .milliseconds(50), batch: 10, batchBudget: .seconds(60))
        try await withWorkers(pool, handlers: [counting, flaky], options: options) {
            try await waitUntil("every job to finish") {
                try await count("SELECT count(*) AS n FROM central.jobs WHERE status IN ('succeeded', 'failed')", pool) == 6
            }
        }
        for id in good {
            let done = try await job(id, pool)
            #expect(done.status == .succeeded)
            #expect(done.attempts == 1)
        }
        let failed = try await job(bad, pool)
        #expect(failed.status == .failed)
        #expect(failed.lastError == "the flaky handler failed on purpose")
        // Each good job ran twice (in the batch rolled back, then alone) and left one effect,
        // committed by its own transaction; the failed job left none.
        #expect(counting.runs.withLock { $0 } == 10)
        #expect(try await count("SELECT count(*) AS n FROM counted_effects", pool) == 5)
        #expect(try await count("SELECT count(DISTINCT txid) AS n FROM counted_effects", pool) == 5)
        #expect(try await count("SELECT count(*) AS n FROM flaky_effects", pool) == 0)
    }

    @Test(.database) func listenWakesAWorkerWithoutWaitingForThePoll() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        // A poll interval far longer than the test: only NOTIFY can wake the worker.
        let options = JobQueueOptions(workers: 1, pollInterval: .seconds(600))
        try await withWorkers(pool, handlers: [NoopJob()], options: options) {
            // Let the listener connect before enqueueing (its first .listening wakes the worker once).
            try await Task.sleep(for: .milliseconds(300))
            let store = Store(pool: pool)
            let id = try await store.transaction {
                try await $0.jobs.enqueue(kind: .noop, packageID: nil, revision: nil, uniqueKey: nil, payload: [String: JSONValue](), by: nil).id
            }
            try await waitUntil("the job to run", timeout: .seconds(5)) { try await job(id, pool).status == .succeeded }
        }
    }

    @Test(.database) func anExpiredLeaseIsReclaimedAndAJobOfAnUnknownKindFails() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let (stale, unknown) = try await pool.withConnection { connection in
            let stale = try await connection.query(
                """
                INSERT INTO central.jobs (kind, status, attempts, started_at, lease_expires_at, worker, created_by)
                VALUES ('noop', 'running', 1, now() - interval '1 minute', now() - interval '1 second', 'ghost', 'test')
                RETURNING id
                """)[0].decode(Int.self, "id")
            let unknown = try await connection.query(
                "INSERT INTO central.jobs (kind, max_attempts, created_by) VALUES ('mystery', 1, 'test') RETURNING id"
            )[0].decode(Int.self, "id")
            return (stale, unknown)
        }
        let options = JobQueueOptions(workers: 1, pollInterval: .milliseconds(50))
        try await withWorkers(pool, handlers: [NoopJob()], options: options) {
            try await waitUntil("the stale job to run again") { try await job(stale, pool).status == .succeeded }
            try await waitUntil("the unknown kind to fail") { try await job(unknown, pool).status == .failed }
        }
        #expect(try await job(stale, pool).attempts == 2)
        #expect(try await job(unknown, pool).lastError == "no handler for job kind mystery")
    }

    @Test(.database) func finishedJobsArePrunedAfterTheirRetention() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection { connection in
            try await connection.execute(
                unsafeSQL: """
                    INSERT INTO central.jobs (kind, status, finished_at, created_by)
                    SELECT 'noop', 'succeeded', now() - interval '10 days', 'test' FROM generate_series(1, 5);
                    INSERT INTO central.jobs (kind, status, finished_at, created_by)
                    VALUES ('noop', 'succeeded', now() - interval '1 hour', 'test'), ('noop', 'queued', NULL, 'test');
                    """)
        }
        let pruned = try await Store(pool: pool).transaction { try await $0.queue.prune(retention: .seconds(7 * 86_400)) }
        #expect(pruned == 5)
        #expect(try await pool.withConnection { try await $0.query("SELECT count(*) AS n FROM central.jobs")[0].decode(Int.self, "n") } == 2)
    }
}

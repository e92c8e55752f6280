import Domain
import EmbeddedPostgres
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// `campaignd worker` as real processes: killed mid-job, two side by side, a server restart.
@Suite struct WorkerProcessTests {

    func workerArguments(_ database: String, lease: String = "2") -> [String] {
        ["worker", "--database-url", database, "--workers", "2", "--job-lease", lease, "--job-poll-interval", "0.2",
         "--job-backoff", "0.2"]
    }

    /// Until the job is claimed (its claim committed) and a transaction with writes has sat
    /// idle for a second: the handler's, paused at the failpoint before its commit.
    func waitUntilPausedBeforeCommit(_ jobID: Int, _ pool: PostgresPool) async throws {
        try await waitUntil("the job's effects to be written and waiting to commit") {
            let waiting = try await pool.withConnection { connection in
                try await connection.query(
                    """
                    SELECT count(*) AS n FROM pg_stat_activity
                    WHERE datname = current_database() AND state = 'idle in transaction' AND backend_xid IS NOT NULL
                      AND state_change < now() - interval '1 second'
                      AND EXISTS (SELECT 1 FROM central.jobs WHERE id = \(jobID) AND status = 'running')
                    """)[0].decode(Int.self, "n")
            }
            return waiting > 0
        }
    }

    @Test(.database) func aBulkJobOverFiveThousandOrdersKilledMidwayChangesEachOrderExactlyOnce() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let fixture = StoreFixture(pool: pool)
        _ = try await fixture.entities(5000, prefix: "K")
        let package = try await fixture.package(type: .local)
        try await pool.withConnection {
            try await $0.query(
                """
                INSERT INTO local.orders (entity_id, package_id, revision, label, status, single, created_by, updated_by)
                SELECT id, \(package.id), 1, 'order', 'pending_approval', true, 'fixture', 'fixture' FROM central.entities
                """)
        }
        let job = try await fixture.store.transaction {
            try await $0.jobs.enqueue(
                kind: .bulkOrders, packageID: package.id, revision: nil, uniqueKey: nil,
                payload: BulkOrdersRequest(
                    action: .approve, ids: nil, packageID: package.id, entityID: nil, statuses: [.pendingApproval],
                    comment: "all at once", requestedBy: (2, "fixture-approver", .approver)),
                by: StoreFixture.approver)
        }

        let doomed = try await DaemonProcess.start(
            workerArguments(database.connectionString),
            environment: DaemonProcess.environment(["CAMPAIGND_FAILPOINTS": "job.before_commit=pause:60"]))
        try await waitUntilPausedBeforeCommit(job.id, pool)
        #expect(try await doomed.stop(signal: SIGKILL) == 128 + SIGKILL)
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.orders WHERE status = 'approved'") == 0)
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'order_approved'") == 0)

        let survivor = try await DaemonProcess.start(workerArguments(database.connectionString))
        try await waitUntil("the bulk job to succeed") {
            try await fixture.store.transaction { try await $0.jobs.require(job.id) }.status == .succeeded
        }
        #expect(try await survivor.stop() == 0)
        let done = try await fixture.store.transaction { try await $0.jobs.require(job.id) }
        #expect(done.attempts == 2)
        #expect(done.result?.objectValue?["changed"] == .number(JSONNumber(5000)))
        // Every order changed once: approved, one version step, one journal entry, one
        // notification, one local campaign each.
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.orders WHERE status = 'approved' AND version = 2") == 5000)
        #expect(
            try await fixture.count(
                "SELECT count(*) AS n FROM (SELECT subject_id FROM central.audit_journal WHERE action = 'approve' AND subject = 'order' GROUP BY subject_id HAVING count(*) = 1) once")
                == 5000)
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'order_approved'") == 5000)
        #expect(try await fixture.count("SELECT count(DISTINCT order_id) AS n FROM local.local_campaigns") == 5000)
    }

    @Test(.database) func aWorkerKilledInTheMiddleOfAFanOutLeavesNothingAndTheJobRunsOnce() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let fixture = StoreFixture(pool: pool)
        let entities = try await fixture.entities(300)
        let package = try await fixture.package(type: .collaborative)
        _ = try await fixture.orders(of: package.id, by: Array(entities.prefix(100)))
        let job = try await fixture.store.transaction {
            try await $0.packages.requestJob(package.id, .cancel, comment: "stop", by: StoreFixture.central)
        }

        // The first worker applies every effect, then pauses before committing: kill it there.
        let doomed = try await DaemonProcess.start(
            workerArguments(database.connectionString),
            environment: DaemonProcess.environment(["CAMPAIGND_FAILPOINTS": "job.before_commit=pause:60"]))
        try await waitUntilPausedBeforeCommit(job.id, pool)
        #expect(try await doomed.stop(signal: SIGKILL) == 128 + SIGKILL)

        // Nothing of the fan-out is visible: its transaction died with the worker.
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'package_cancelled'") == 0)
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.orders WHERE status = 'cancelled'") == 0)
        let held = try await fixture.store.transaction { try await $0.jobs.require(job.id) }
        #expect(held.status == .running)
        #expect(try await fixture.store.transaction { try await $0.packages.require(package.id) }.status == .published)

        // A new worker takes the job once its lease has expired, and applies it once.
        let survivor = try await DaemonProcess.start(workerArguments(database.connectionString))
        try await waitUntil("the job to succeed") {
            try await fixture.store.transaction { try await $0.jobs.require(job.id) }.status == .succeeded
        }
        #expect(try await survivor.stop() == 0)
        let done = try await fixture.store.transaction { try await $0.jobs.require(job.id) }
        #expect(done.attempts == 2)
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'package_cancelled'") == 300)
        #expect(try await fixture.count("SELECT count(*) AS n FROM local.orders WHERE status = 'cancelled'") == 100)
        #expect(try await fixture.count("SELECT count(*) AS n FROM central.audit_journal WHERE action = 'cancel'") == 1)
    }

    @Test(.database) func twoWorkerProcessesNeverRunTheSameJob() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let first = try await DaemonProcess.start(workerArguments(database.connectionString, lease: "30"))
        let second = try await DaemonProcess.start(workerArguments(database.connectionString, lease: "30"))
        // Both running before the jobs arrive, so both can take some, and both can be stopped.
        for daemon in [first, second] { try await daemon.waitForLine("job workers started") }
        try await pool.withConnection {
            try await $0.query(
                "INSERT INTO central.jobs (kind, created_by) SELECT 'noop', 'test' FROM generate_series(1, 400)")
            try await $0.notify(channel: JobRepository.wakeChannel)
        }
        let fixture = StoreFixture(pool: pool)
        try await waitUntil("all jobs to succeed") {
            try await fixture.count("SELECT count(*) AS n FROM central.jobs WHERE status = 'succeeded'") == 400
        }
        for daemon in [first, second] {
            let status = try await daemon.stop()
            #expect(status == 0, "exit status \(status): \(daemon.log.suffix(2000))")
        }
        // Each job was claimed exactly once: one attempt, one worker.
        #expect(try await fixture.count("SELECT count(*) AS n FROM central.jobs WHERE attempts <> 1") == 0)
        let workers = try await fixture.count("SELECT count(DISTINCT split_part(worker, '/', 1)) AS n FROM central.jobs")
        #expect(workers >= 1)
    }

    @Test func queuedJobsFinishAfterThePostgreSQLServerRestarts() async throws {
        try await withPrivateCluster { cluster in
            try await cluster.createDatabase("jobs", logger: TestCluster.logger)
            let url = cluster.connectionString(database: "jobs")
            let migrate = try await DaemonProcess.run(["migrate", "--database-url", url])
            #expect(migrate.status == 0)
            let pool = PostgresPool(configuration: try PostgresConfiguration(url), logger: TestCluster.logger)
            defer { pool.close() }
            let worker = try await DaemonProcess.start(workerArguments(url))
            // Jobs due in a moment, so they are still queued while the server restarts.
            try await pool.withConnection {
                try await $0.query(
                    """
                    INSERT INTO central.jobs (kind, run_at, created_by)
                    SELECT 'noop', now() + interval '1 second', 'test' FROM generate_series(1, 50)
                    """)
        }
        try await cluster.stop()
        try await Task.sleep(for: .milliseconds(500))
        try await cluster.start(logger: TestCluster.logger)
        let fixture = StoreFixture(pool: pool)
        try await waitUntil("the jobs to finish after the restart") {
            (try? await fixture.count("SELECT count(*) AS n FROM central.jobs WHERE status = 'succeeded'")) == 50
        }
        #expect(try await worker.stop() == 0)
        }
    }
}

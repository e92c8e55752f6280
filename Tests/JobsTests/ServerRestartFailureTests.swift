import Domain
import EmbeddedPostgres
import Foundation
import Jobs
import Logging
import Postgres
import ServiceLifecycle
import Store
import Synchronization
import TestSupport
import Testing

/// Holds its first run until released, then touches the database.
final class HeldJob: JobHandler {
    let runs = Mutex(0)
    let gate = TestGate()

    var kind: JobKind { JobKind("held") }

    func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        runs.withLock { $0 += 1 }
        await gate.hold()
        try await transaction.connection.query("SELECT 1")
    }
}

/// A job whose server restarts under it fails its attempt, and that failure is recorded
/// once the server is back, so the job runs again after its backoff, not after its lease.
/// It uses a cluster of its own, so that the other suites' server is never interrupted.
@Suite struct ServerRestartFailureTests {
    @Test func aJobFailedByARestartRunsAgainAfterItsBackoff() async throws {
        try await withPrivateCluster { try await exercise($0) }
    }

    private func exercise(_ cluster: EmbeddedCluster) async throws {
        try await cluster.createDatabase("jobs", logger: TestCluster.logger)
        let url = cluster.connectionString(database: "jobs")
        #expect(try await DaemonProcess.run(["migrate", "--database-url", url]).status == 0)
        let pool = PostgresPool(
            configuration: try PostgresConfiguration(url),
            options: PostgresPoolOptions(minimumConnections: 3, maximumConnections: 4), logger: TestCluster.logger)
        defer { pool.close() }
        await pool.prewarm()
        let id = try await pool.withConnection {
            try await $0.query("INSERT INTO central.jobs (kind, created_by) VALUES ('held', 'test') RETURNING id")[0]
                .decode(Int.self, "id")
        }
        let held = HeldJob()
        // A lease far longer than the test waits: only a recorded failure brings the job back in time.
        let options = JobQueueOptions(
            workers: 1, lease: .seconds(60), pollInterval: .milliseconds(100), backoffBase: .milliseconds(200))
        let workers = JobWorkers(store: Store(pool: pool), handlers: [held], options: options, logger: TestCluster.logger)
        let group = ServiceGroup(services: [workers], logger: TestCluster.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                await held.gate.untilHeld()
                // The server goes away while the job runs: its transaction fails, and the
                // first tries to record that failure find no server.
                try await cluster.stop()
                held.gate.release()
                try await Task.sleep(for: .seconds(1))
                try await cluster.start(logger: TestCluster.logger)
                let fixture = StoreFixture(pool: pool)
                try await waitUntil("the job to run again and succeed", timeout: .seconds(20)) {
                    let done = "SELECT count(*) AS n FROM central.jobs WHERE id = \(id) AND status = 'succeeded'" as PostgresQuery
                    return (try? await fixture.count(done)) == 1
                }
            } catch {
                await group.triggerGracefulShutdown()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let job = try await Store(pool: pool).transaction { try await $0.jobs.require(id) }
        #expect(job.attempts == 2)
        #expect(held.runs.withLock { $0 } == 2)
    }
}

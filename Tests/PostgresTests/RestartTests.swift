import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import Testing

/// Restarts a PostgreSQL server under the pool and the listener. It uses a cluster of
/// its own, so that the other suites' server is never interrupted.
@Suite struct RestartTests {
    @Test func poolAndListenerSurviveAServerRestart() async throws {
        try await withPrivateCluster { try await exercise($0) }
    }

    private func exercise(_ cluster: EmbeddedCluster) async throws {
        do {
            // A second start finds it running and does not claim it.
            #expect(try await cluster.start(logger: TestCluster.logger) == false)
            let configuration = try PostgresConfiguration(cluster.connectionString(database: "postgres"))
            let pool = PostgresPool(
                configuration: configuration, options: PostgresPoolOptions(minimumConnections: 2, maximumConnections: 2),
                logger: TestCluster.logger)
            defer { pool.close() }
            await pool.prewarm()
            #expect(pool.statistics.idle == 2)
            let listener = PostgresListener(configuration: configuration, channels: ["restart"], logger: TestCluster.logger)
            var events = listener.makeAsyncIterator()
            #expect(await events.next() == .listening)

            try await cluster.stop()
            #expect(cluster.isRunning() == false)
            try await cluster.start(logger: TestCluster.logger)

            // Both idle connections died with the old server; the very next borrow succeeds.
            let answer = try await pool.withConnection { try await $0.query("SELECT 41 + 1 AS v")[0].decode(Int.self, "v") }
            #expect(answer == 42)
            // The listener reconnects by itself and says so, then delivers again.
            #expect(await events.next() == .listening)
            try await pool.notify(channel: "restart", payload: "back")
            guard case .notification(let event) = await events.next() else {
                Issue.record("expected a notification after the restart")
                return
            }
            #expect(event.payload == "back")
        }
    }
}

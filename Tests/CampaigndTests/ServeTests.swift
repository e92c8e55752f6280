import EmbeddedPostgres
import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct ServeTests {
    @Test(.database) func healthAndReadinessOnAMigratedDatabase() async throws {
        let database = try TestDatabase.get()
        let daemon = try await DaemonProcess.start(["serve", "--port", "0", "--database-url", database.connectionString])
        let client = HTTPTestClient(port: try await daemon.waitForPort())
        let health = try await client.get("/healthz")
        #expect(health.status == 200)
        let ready = try await client.get("/readyz")
        #expect(ready.status == 200, "\(ready.text)")
        #expect(try ready.json()["status"] as? String == "ready")
        #expect(try await daemon.stop() == 0)
        #expect(daemon.log.contains("stopped"))
    }

    @Test(.emptyDatabase) func notReadyUntilMigrated() async throws {
        let database = try TestDatabase.get()
        let daemon = try await DaemonProcess.start(["serve", "--port", "0", "--database-url", database.connectionString])
        let client = HTTPTestClient(port: try await daemon.waitForPort())
        #expect(try await client.get("/healthz").status == 200)
        let unready = try await client.get("/readyz")
        #expect(unready.status == 503)
        #expect(try unready.json()["reason"] as? String == "database not migrated: run campaignd migrate")

        let migrate = try await DaemonProcess.run(["migrate", "--database-url", database.connectionString])
        #expect(migrate.status == 0)
        #expect(try await client.get("/readyz").status == 200)
        #expect(try await daemon.stop(signal: SIGINT) == 0)
    }

    @Test func unreachableDatabaseAnswers503AndTheDaemonKeepsRunning() async throws {
        let daemon = try await DaemonProcess.start([
            "serve", "--port", "0", "--database-url", "host=127.0.0.1 port=1 connect_timeout=1",
        ])
        let client = HTTPTestClient(port: try await daemon.waitForPort())
        let unready = try await client.get("/readyz")
        #expect(unready.status == 503)
        #expect((try unready.json()["reason"] as? String)?.hasPrefix("database unreachable") == true)
        #expect(try await client.get("/healthz").status == 200)
        #expect(daemon.log.contains("database unreachable; retrying with backoff"))
        #expect(try await daemon.stop() == 0)
    }

    /// The README's first command: no database configured at all.
    @Test func embeddedClusterIsCreatedMigratedServedAndStopped() async throws {
        let dataDirectory = "/tmp/cde-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { try? FileManager.default.removeItem(atPath: dataDirectory) }
        let daemon = try await DaemonProcess.start(["serve", "--port", "0", "--data-dir", dataDirectory])
        let client = HTTPTestClient(port: try await daemon.waitForPort())
        #expect(try await client.get("/readyz").status == 200, "\(daemon.log)")
        #expect(try await daemon.stop() == 0)
        let cluster = try EmbeddedCluster(directory: dataDirectory)
        #expect(cluster.isRunning() == false)
        #expect(daemon.log.contains("embedded PostgreSQL stopped"))

        // The next start reuses the cluster: nothing to create or migrate.
        let again = try await DaemonProcess.start(["serve", "--port", "0", "--data-dir", dataDirectory])
        let secondClient = HTTPTestClient(port: try await again.waitForPort())
        #expect(try await secondClient.get("/readyz").status == 200)
        #expect(!again.log.contains("creating embedded PostgreSQL cluster"))
        #expect(!again.log.contains("applied 0001"))
        #expect(try await again.stop() == 0)
    }
}

import Foundation
import Postgres
import TestSupport
import Testing

/// The daemon through a real PgBouncer in transaction pooling mode (API.md, "Scale-out
/// options"): its requests, jobs and tenancy through PgBouncer, its `LISTEN`s on
/// `--listen-url` (PgBouncer cannot hold one).
@Suite(.databasePerTest) struct PgBouncerTests {
    @Test func theDaemonWorksThroughPgBouncerInTransactionModeAndListensBeside() async throws {
        let database = try TestDatabase.get()
        let bouncer = try await PgBouncer.start(for: database, poolSize: 2)
        // Transaction pooling: six clients, one statement each, share at most two server connections.
        var clients: [PostgresConnection] = []
        for _ in 0..<6 {
            clients.append(try await PostgresConnection.connect(
                PostgresConfiguration(bouncer.connectionString()), logger: TestCluster.logger))
        }
        var servers = Set<Int>()
        for client in clients {
            servers.insert(try await client.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid"))
        }
        clients.forEach { $0.close() }
        #expect(servers.count <= 2, "transaction pooling shares server connections: \(servers)")

        // The daemon's --database-url names a database only PgBouncer knows; its LISTENs
        // go straight to the server. The workers poll every 300 s: their wake-ups must come by NOTIFY.
        let api = try await APIHarness.start(
            ["--listen-url", database.serviceConnectionString, "--pool-size", "8", "--job-poll-interval", "300"],
            databaseURL: { _ in bouncer.connectionString() })
        let lyon = try await api.entity("LYO-01")
        let nice = try await api.entity("NCE-01")
        let first = try await lyon.get("/v1/notifications")
        #expect(first.status == 200)
        let after = try first.json()["next_cursor"] as? Int ?? 0

        // A long poll, woken by the NOTIFY of the publication (the hub LISTENs on --listen-url).
        let waiting = Task { try await lyon.get("/v1/notifications?after=\(after)&wait=25") }
        try await Task.sleep(for: .milliseconds(300))
        let package = try await api.package(
            #"{"label": "Bounced", "type": "collaborative", "campaign_name": "bounced", "campaign_folder": "/c"}"#)
        let woken = try await waiting.value.items()
        #expect(woken.map { $0["kind"] as? String } == ["package_available"], "woken by NOTIFY through --listen-url")

        // Tenancy through shared server connections: many requests of two entities at once,
        // each transaction scoped with SET LOCAL, each answer its own entity's rows only.
        for (client, label) in [(lyon, "Lyon's"), (nice, "Nice's")] {
            #expect(try await client.post("/v1/packages/\(package)/orders", #"{"label": "\#(label)"}"#).status == 201)
        }
        try await withThrowingTaskGroup(of: (String, [String]).self) { group in
            for round in 0..<40 {
                let (client, label) = round % 2 == 0 ? (lyon, "Lyon's") : (nice, "Nice's")
                group.addTask { (label, try await client.get("/v1/orders").items().compactMap { $0["label"] as? String }) }
            }
            for try await (label, seen) in group {
                #expect(seen == [label], "only its own order: \(seen)")
            }
        }

        // A job through PgBouncer, started by NOTIFY: the workers poll only every 300 s,
        // and finishedJob gives up after 30.
        let cancel = try await api.approver.post("/v1/packages/\(package)/cancel", #"{"comment": "through the bouncer"}"#)
        let job = try await api.finishedJob(try #require(try cancel.string("job.id")))
        #expect(try job.string("status") == "succeeded")
        let cancelled = try await lyon.get("/v1/notifications?after=\(after)").items().map { $0["kind"] as? String }
        #expect(cancelled.contains("package_cancelled"))
        #expect(try await nice.get("/v1/orders").items().first?["status"] as? String == "cancelled")
        #expect(!api.daemon.log.contains("prepared statement"), "no named prepared statements")
    }
}

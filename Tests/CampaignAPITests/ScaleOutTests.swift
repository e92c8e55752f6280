import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// The whole scale-out at once (SPEC.md, "Scale"): three daemon processes on one primary,
/// through PgBouncer in transaction mode, with two streaming standbys built by the test
/// (`pg_basebackup -R`). Each job runs once; each long-poller, whichever daemon it polls,
/// gets every notification of its entity once, in order, while one standby is stopped
/// and started again under the load.
@Suite struct ScaleOutTests {
    @Test func threeDaemonsTwoStandbysAndPgBouncerLoseNothingAndDoNothingTwice() async throws {
        try await withPrivateCluster { cluster in try await Self.exercise(try await TestDatabase.migrated(on: cluster)) }
    }

    static func exercise(_ database: TestDatabase) async throws {
        let standbys = [try await Standby.start(of: database), try await Standby.start(of: database)]
        let bouncer = try await PgBouncer.start(for: database, poolSize: 6)
        let arguments = [
            "--listen-url", database.serviceConnectionString, "--pool-size", "4", "--job-poll-interval", "0.5",
            "--replica-url", standbys[0].connectionString(database: database.name),
            "--replica-url", standbys[1].connectionString(database: database.name),
        ]
        let first = try await APIHarness.start(arguments, databaseURL: { _ in bouncer.connectionString() }, database: database)
        var ports = [first.central.port]
        var others: [DaemonProcess] = []
        for _ in 0..<2 {
            let daemon = try await DaemonProcess.start(
                ["serve", "--port", "0", "--database-url", bouncer.connectionString()] + arguments)
            ports.append(try await daemon.waitForPort())
            others.append(daemon)
        }
        var entities: [(code: String, client: HTTPTestClient)] = []
        for index in 1...3 { entities.append(("SO-\(index)", try await first.entity("SO-\(index)"))) }

        // Jobs queued on the primary: three daemons' workers share them.
        let pool = database.makePool(PostgresPoolOptions(minimumConnections: 0, maximumConnections: 2))
        defer { pool.close() }
        try await Store(pool: pool).transaction { transaction in
            for index in 0..<60 {
                _ = try await transaction.jobs.enqueue(
                    kind: .noop, packageID: nil, revision: nil, uniqueKey: "scale-out-\(index)", payload: [String: String](),
                    by: nil)
            }
        }

        // Two long-pollers per entity, on two different daemons.
        let publications = 6
        let (targets, polled) = (ports, entities)
        let pollers = Task {
            try await withThrowingTaskGroup(of: (String, Int, [Int]).self) { group in
                for (index, entity) in polled.enumerated() {
                    for poller in 0..<2 {
                        let port = targets[(index + poller) % targets.count]
                        let client = HTTPTestClient(port: port, token: entity.client.token)
                        group.addTask {
                            var seen: [Int] = []
                            var after = 0
                            let deadline = ContinuousClock.now + .seconds(90)
                            while seen.count < publications, ContinuousClock.now < deadline {
                                let page = try await client.get("/v1/notifications?after=\(after)&wait=5")
                                guard page.status == 200 else { continue }
                                seen += try page.items().compactMap { $0["cursor"] as? Int }
                                after = try page.json()["next_cursor"] as? Int ?? after
                            }
                            return (entity.code, port, seen)
                        }
                    }
                }
                var all: [(String, Int, [Int])] = []
                for try await result in group { all.append(result) }
                return all
            }
        }
        // Publications, one after the other; a standby is stopped after the second and
        // started again after the fourth.
        for number in 1...publications {
            _ = try await first.package(
                #"{"label": "Wave \#(number)", "type": "local", "campaign_name": "wave\#(number)", "campaign_folder": "/c"}"#)
            if number == 2 { try standbys[0].stopServer() }
            if number == 4 { try await standbys[0].startServer() }
            try await Task.sleep(for: .milliseconds(200))
        }
        let received = try await pollers.value
        let connection = try await database.connect()
        defer { connection.close() }
        for (code, port, seen) in received {
            let committed = try await connection.query(
                """
                SELECT n.cursor FROM local.notifications n JOIN central.entities e ON e.id = n.entity_id
                WHERE e.code = \(code) ORDER BY n.cursor
                """
            ).map { try $0.decode(Int.self, "cursor") }
            #expect(committed.count == publications)
            #expect(seen == committed, "\(code) through the daemon on \(port): every notification once, in order")
        }
        try await waitUntil("every job done") {
            try await connection.query("SELECT count(*) AS n FROM central.jobs WHERE kind = 'noop' AND status = 'succeeded'")[0]
                .decode(Int.self, "n") == 60
        }
        let attempts = try await connection.query("SELECT max(attempts) AS most FROM central.jobs WHERE kind = 'noop'")[0]
            .decode(Int.self, "most")
        #expect(attempts == 1, "each job claimed once")
        // The standbys served reads, and the daemons went through PgBouncer.
        var served = 0.0
        for port in ports {
            served += try await HTTPTestClient(port: port).get("/metrics").text.split(separator: "\n")
                .filter { $0.hasPrefix("campaignd_replica_reads_total{") }
                .compactMap { Double($0.split(separator: " ").last ?? "") }.reduce(0, +)
        }
        #expect(served > 0, "the standbys served reads")
        withExtendedLifetime(others) {}
    }
}

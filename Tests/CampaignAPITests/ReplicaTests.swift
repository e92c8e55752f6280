import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// Reads through a real hot standby (`--replica-url`, API.md "Scale-out options"), built
/// by the test with `pg_basebackup -R`: polls that miss nothing and repeat nothing while
/// writers commit out of order on the primary, read-your-writes and long polls while the
/// standby lags, a lagging or stopped standby skipped and taken back.
///
/// Each test has a cluster of its own: the standby copies the whole cluster, and the
/// shared one holds every other test's database.
@Suite struct ReplicaTests {
    static func readiness(_ api: APIHarness) async throws -> [String: Any] {
        var anonymous = api.central
        anonymous.token = nil
        return (try await anonymous.get("/readyz").json()["replicas"] as? [[String: Any]])?.first ?? [:]
    }

    static func replicaReads(_ api: APIHarness) async throws -> Double {
        var anonymous = api.central
        anonymous.token = nil
        return try await anonymous.get("/metrics").text.split(separator: "\n")
            .first { $0.hasPrefix(#"campaignd_replica_reads_total{replica="1"} "#) }
            .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
    }

    @Test func pollsThroughAStandbyMissNothingAndRepeatNothingWhileWritersCommitOutOfOrder() async throws {
        try await withPrivateCluster { try await Self.pollsThroughAStandby(try await TestDatabase.migrated(on: $0)) }
    }

    static func pollsThroughAStandby(_ database: TestDatabase) async throws {
        let standby = try await Standby.start(of: database)
        let api = try await APIHarness.start(
            ["--replica-url", standby.connectionString(database: database.name)], database: database)
        try await waitUntil("the standby in use") { try await Self.readiness(api)["used"] as? Bool == true }
        let entity = try await api.entity("REP-01")
        let entityID = try await api.connect().query("SELECT id FROM central.entities WHERE code = 'REP-01'")[0]
            .decode(Int.self, "id")

        // Four writers on the primary; each holds its transaction open a random while
        // after taking its cursor, so the rows commit in another order than they are written.
        let primary = database.makePool(PostgresPoolOptions(minimumConnections: 0, maximumConnections: 4))
        defer { primary.close() }
        let perWriter = 20
        let writers = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for row in 0..<perWriter {
                            try await Store(pool: primary).transaction {
                                try await $0.notifications.notify(
                                    entityID: entityID, kind: .orderApproved, packageID: nil, orderID: writer * 1000 + row,
                                    revision: 1, comment: nil, eventKey: "replica-\(writer)-\(row)")
                                try await Task.sleep(for: .milliseconds(Int.random(in: 0...15)))
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        // A client polls through the daemon, from wherever the daemon reads.
        var seen: [Int] = []
        var after = 0
        let deadline = ContinuousClock.now + .seconds(60)
        while seen.count < 4 * perWriter, ContinuousClock.now < deadline {
            let page = try await entity.get("/v1/notifications?after=\(after)&limit=7")
            let cursors = try page.items().compactMap { $0["cursor"] as? Int }
            seen += cursors
            after = try page.json()["next_cursor"] as? Int ?? after
            if cursors.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
        }
        try await writers.value
        let connection = try await api.connect()
        defer { connection.close() }
        let committed = try await connection.query(
            "SELECT cursor FROM local.notifications WHERE entity_id = \(entityID) ORDER BY cursor"
        ).map { try $0.decode(Int.self, "cursor") }
        #expect(seen == committed, "every row once, in cursor order: \(seen.count) seen, \(committed.count) committed")
        #expect(try await Self.replicaReads(api) > 0, "the standby served polls")
    }

    @Test func aLaggingStandbyShowsEachClientItsWritesWakesLongPollsAndIsSkippedThenTakenBack() async throws {
        try await withPrivateCluster { try await Self.aLaggingStandby(try await TestDatabase.migrated(on: $0)) }
    }

    static func aLaggingStandby(_ database: TestDatabase) async throws {
        let standby = try await Standby.start(of: database)
        let api = try await APIHarness.start(
            ["--replica-url", standby.connectionString(database: database.name), "--replica-max-lag", "1"], database: database)
        try await waitUntil("the standby in use") { try await Self.readiness(api)["used"] as? Bool == true }
        let lyon = try await api.entity("LYO-01")
        let package = try await api.package()
        let connection = try await api.connect()
        defer { connection.close() }
        try await standby.catchUp(with: connection, database: database.name)
        let start = try await lyon.get("/v1/notifications").json()["next_cursor"] as? Int ?? 0

        // The standby stops replaying: it falls behind with every commit on the primary.
        _ = try await standby.superuserQuery("SELECT pg_wal_replay_pause()", database: database.name)
        // Read-your-writes: the order just placed is in the list at once.
        let order = try #require(try await lyon.post("/v1/packages/\(package)/orders", #"{"label": "mine"}"#).string("id"))
        let listed = try await lyon.get("/v1/orders")
        #expect(try listed.items().map { $0["id"] as? String } == [order], "\(listed.status) \(listed.text) \(api.daemon.log.suffix(2500))")
        // A long poll is woken by a commit the standby has not replayed: read from the primary.
        let waiting = Task { try await lyon.get("/v1/notifications?after=\(start)&wait=20") }
        try await Task.sleep(for: .milliseconds(300))
        #expect(try await api.approver.post("/v1/orders/\(order)/approve").status == 200)
        let woken = try await waiting.value.items().map { $0["kind"] as? String }
        #expect(woken.contains("order_approved"), "\(woken)")

        // Past --replica-max-lag the standby is skipped; reads still answer.
        try await waitUntil("the standby skipped") {
            let report = try await Self.readiness(api)
            return report["used"] as? Bool == false && (report["lag_seconds"] as? Double ?? 0) > 1
        }
        #expect(try await lyon.get("/v1/notifications?after=\(start)").items().count == woken.count)
        _ = try await standby.superuserQuery("SELECT pg_wal_replay_resume()", database: database.name)
        try await waitUntil("the standby back in use") { try await Self.readiness(api)["used"] as? Bool == true }

        // Stopped, it is skipped as unreachable; started again, it is used again.
        try standby.stopServer()
        try await waitUntil("the stopped standby skipped") {
            let report = try await Self.readiness(api)
            return report["used"] as? Bool == false && (report["problem"] as? String)?.hasPrefix("unreachable") == true
        }
        #expect(try await lyon.get("/v1/orders").status == 200, "the primary answers meanwhile")
        #expect(try await lyon.get("/v1/catalog").status == 200)
        try await standby.startServer()
        try await waitUntil("the restarted standby in use") { try await Self.readiness(api)["used"] as? Bool == true }
        #expect(try await lyon.get("/v1/notifications?after=\(start)").items().count == woken.count, "nothing lost, nothing twice")
    }

    @Test func anotherDaemonHonoursTheFenceOfAWriteItDidNotTake() async throws {
        try await withPrivateCluster { try await Self.fenceAcrossDaemons(try await TestDatabase.migrated(on: $0)) }
    }

    static func fenceAcrossDaemons(_ database: TestDatabase) async throws {
        let standby = try await Standby.start(of: database)
        // A lag allowed long enough that the paused standby stays in use for the whole test.
        let arguments = ["--replica-url", standby.connectionString(database: database.name), "--replica-max-lag", "60"]
        let api = try await APIHarness.start(arguments, database: database)
        let other = try await DaemonProcess.start(
            ["serve", "--port", "0", "--database-url", database.serviceConnectionString, "--pool-size", "4"] + arguments)
        let otherPort = try await other.waitForPort()
        let lyon = try await api.entity("LYO-01")
        let nice = try await api.entity("NCE-01")
        let lyonThere = HTTPTestClient(port: otherPort, token: lyon.token)
        let niceThere = HTTPTestClient(port: otherPort, token: nice.token)
        let package = try await api.package()
        let connection = try await database.connect()
        defer { connection.close() }
        try await standby.catchUp(with: connection, database: database.name)
        try await waitUntil("the standby in use by the other daemon") {
            var anonymous = niceThere
            anonymous.token = nil
            return (try await anonymous.get("/readyz").json()["replicas"] as? [[String: Any]])?.first?["used"] as? Bool == true
        }
        func heard() async throws -> Double {
            try await HTTPTestClient(port: otherPort).get("/metrics").text.split(separator: "\n")
                .first { $0.hasPrefix("campaignd_replica_fences_heard_total ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }
        _ = try await standby.superuserQuery("SELECT pg_wal_replay_pause()", database: database.name)
        let before = try await heard()
        let order = try #require(try await lyon.post("/v1/packages/\(package)/orders", #"{"label": "mine"}"#).string("id"))
        #expect(try await nice.post("/v1/packages/\(package)/orders", #"{"label": "theirs"}"#).status == 201)
        // The fences travel by NOTIFY, sent before each write's answer; the other daemon
        // records them as they arrive.
        try await waitUntil("the other daemon heard both fences") { try await heard() >= before + 2 }
        #expect(try await lyonThere.get("/v1/orders").items().map { $0["id"] as? String } == [order], "its own write, through the other daemon")
        _ = try await standby.superuserQuery("SELECT pg_wal_replay_resume()", database: database.name)
        withExtendedLifetime(other) {}
    }
}

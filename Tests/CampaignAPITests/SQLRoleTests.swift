import Foundation
import Postgres
import TestSupport
import Testing

/// Local entities polling over SQL, each through its own login role.
@Suite(.databasePerTest) struct SQLRoleTests {
    @Test func eachRoleReadsItsOwnRowsOnlyAndCannotWriteOrReadCentral() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let id = try await api.package()
        for client in [paris, lyon] {
            let order = try #require(try await client.post("/v1/packages/\(id)/orders", #"{"label": "o"}"#).string("id"))
            _ = try await api.central.post("/v1/orders/\(order)/approve", #"{"comment": "ok"}"#)
        }

        var roles: [String: String] = [:]
        for code in ["PAR-01", "LYO-01"] {
            let made = try await DaemonProcess.run(["sql-role", "create", code, "--database-url", api.database.connectionString])
            #expect(made.status == 0, "\(made.stderr)")
            let fields = made.stdout.trimmingCharacters(in: .newlines).split(separator: " ")
            #expect(fields.count == 2 && fields[0].hasPrefix("role=") && fields[1].hasPrefix("password="))
            roles[code] = String(fields[0].dropFirst(5))
        }
        #expect(try await DaemonProcess.run(["sql-role", "create", "NOPE", "--database-url", api.database.connectionString]).status != 0)

        for (code, role) in roles {
            let configuration = try PostgresConfiguration(api.database.connectionString + " user='\(role)'")
            let connection = try await PostgresConnection.connect(configuration, logger: TestCluster.logger)
            defer { connection.close() }
            let notes = try await connection.query(
                "SELECT DISTINCT e FROM (SELECT entity_id AS e FROM local.notifications) s")
            let orders = try await connection.query("SELECT DISTINCT entity_id FROM local.orders")
            #expect(notes.count == 1, "\(code) sees one entity's notifications")
            #expect(orders.count == 1, "\(code) sees one entity's orders")
            let own = try notes[0].decode(Int.self, "e")
            #expect(try orders[0].decode(Int.self, "entity_id") == own)
            // Setting the daemon's scope does not widen what it sees.
            try await connection.query("SELECT set_config('campaignd.entity_id', '', false)")
            #expect(try await connection.query("SELECT DISTINCT entity_id FROM local.notifications").count == 1)

            for statement in [
                "SELECT * FROM central.packages",
                "SELECT * FROM central.api_tokens",
                "SELECT * FROM local.local_campaigns",
                "SELECT * FROM local.notification_acks",
                "SELECT * FROM local.notifications_after_each(ARRAY[\(own)], ARRAY[0], ARRAY[10])",
                "INSERT INTO local.notifications (entity_id, kind, event_key) VALUES (\(own), 'order_approved', 'x')",
                "UPDATE local.orders SET label = 'mine'",
                "DELETE FROM local.notifications",
            ] {
                let error = try await #require(throws: PostgresError.self, "\(code): \(statement)") {
                    try await connection.execute(unsafeSQL: statement)
                }
                #expect(error.sqlState == PostgresError.SQLState.insufficientPrivilege, "\(statement)")
            }
        }
    }

    @Test func theDaemonsRoleIsScopedByTheEntitySetting() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let id = try await api.package()
        for client in [paris, lyon] { _ = try await client.post("/v1/packages/\(id)/orders", #"{"label": "o"}"#) }
        let configuration = try PostgresConfiguration(api.database.serviceConnectionString)
        let connection = try await PostgresConnection.connect(configuration, logger: TestCluster.logger)
        defer { connection.close() }
        // Unscoped (the central entity): every row.
        #expect(try await connection.query("SELECT count(*) AS n FROM local.orders")[0].decode(Int.self, "n") == 2)
        // Scoped to one entity for a transaction: that entity's rows only, for reads and writes.
        let scoped = try await connection.withTransaction { connection in
            let paris = try await connection.query("SELECT id FROM central.entities WHERE code = 'PAR-01'")[0]
                .decode(Int.self, "id")
            try await connection.query("SELECT set_config('campaignd.entity_id', \(String(paris)), true)")
            let visible = try await connection.query("SELECT count(*) AS n FROM local.orders")[0].decode(Int.self, "n")
            let touched = try await connection.query("UPDATE local.orders SET comment = 'x'").affectedRows
            return (visible, touched)
        }
        #expect(scoped.0 == 1)
        #expect(scoped.1 == 1)
        #expect(try await connection.query("SELECT count(*) AS n FROM local.orders WHERE comment = 'x'")[0].decode(Int.self, "n") == 1)
        // And the journal stays append-only for it.
        let error = try await #require(throws: PostgresError.self) {
            try await connection.execute(unsafeSQL: "DELETE FROM central.audit_journal")
        }
        #expect(error.sqlState == PostgresError.SQLState.insufficientPrivilege)
    }
}

import Foundation
import Postgres
import TestSupport
import Testing

@Suite struct CommandLineTests {
    @Test(.emptyDatabase) func migrateCreatesTheSchemasOnAnExternalServer() async throws {
        let database = try TestDatabase.get()
        let url = database.connectionString
        let dry = try await DaemonProcess.run(["migrate", "--database-url", url, "--dry-run"])
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("would apply 0001_schemas.sql"))

        let run = try await DaemonProcess.run(["migrate", "--database-url", url])
        #expect(run.status == 0, "\(run.stderr)")
        let files = try TestCluster.migrationFiles()
        #expect(run.stdout.split(separator: "\n").count == files.count)
        #expect(run.stdout.contains("applied 0001_schemas.sql in "))

        let connection = try await database.connect()
        defer { connection.close() }
        let schemas = try await connection.query(
            "SELECT count(*) AS n FROM pg_namespace WHERE nspname IN ('central', 'local')")
        #expect(try schemas[0].decode(Int.self, "n") == 2)

        let status = try await DaemonProcess.run(["migrate", "--status"], environment: DaemonProcess.environment(["CAMPAIGND_DATABASE_URL": url]))
        #expect(status.status == 0)
        #expect(status.stdout.split(separator: "\n").allSatisfy { $0.hasPrefix("applied  ") })
        let again = try await DaemonProcess.run(["migrate", "--database-url", url])
        #expect(again.stdout.contains("database is up to date"))
    }

    @Test(.database) func tokenCreatePrintsTheTokenAloneAndStoresOnlyItsHash() async throws {
        let database = try TestDatabase.get()
        let result = try await DaemonProcess.run(
            ["token", "create", "--central", "alice.martin", "--database-url", database.connectionString])
        #expect(result.status == 0, "\(result.stderr)")
        let token = result.stdout.trimmingCharacters(in: .newlines)
        #expect(result.stdout == token + "\n")
        #expect(token.wholeMatch(of: /cdt_[0-9a-f]{80}/) != nil)

        let connection = try await database.connect()
        defer { connection.close() }
        let rows = try await connection.query(
            """
            SELECT t.secret_hash, o.name FROM central.api_tokens t JOIN central.operators o ON o.id = t.operator_id
            """)
        #expect(rows.count == 1)
        #expect(try rows[0].decode(String.self, "name") == "alice.martin")
        let stored = try rows[0].decode(String.self, "secret_hash")
        #expect(stored.count == 64)
        #expect(!token.contains(stored))
    }

    @Test(arguments: [
        "host=127.0.0.1 port=1 connect_timeout=2",
        "postgresql://user:secret@127.0.0.1:notaport/db",
        "port",
    ])
    func badConfigurationFailsWithOneClearLine(url: String) async throws {
        for command in [["migrate"], ["token", "create", "--central", "x"]] {
            let result = try await DaemonProcess.run(command + ["--database-url", url])
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
            let lines = result.stderr.split(separator: "\n")
            #expect(lines.count == 1, "\(result.stderr)")
            #expect(lines.first?.hasPrefix("Error: ") == true)
            #expect(!result.stderr.contains("secret"))
        }
    }

    /// A command that cannot do what well-formed arguments ask says why in one line; the
    /// usage text is for mistakes in the arguments.
    @Test(.database) func failuresThatAreNotUsageMistakesTakeOneLine() async throws {
        let url = try TestDatabase.get().connectionString
        for command in [["sql-role", "create", "nope"], ["token", "create", "--entity", "nope"]] {
            let result = try await DaemonProcess.run(command + ["--database-url", url])
            #expect(result.status != 0)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr == "Error: no local entity has the code nope\n", "\(result.stderr)")
        }
        // A usage mistake still shows how to call the command.
        let usage = try await DaemonProcess.run(["token", "create", "--central", "a", "--entity", "b", "--database-url", url])
        #expect(usage.status != 0)
        #expect(usage.stderr.contains("give either --central NAME or --entity CODE"))
        #expect(usage.stderr.contains("Usage:"))
    }

    @Test func everyCommandHasHelp() async throws {
        for command in [[], ["serve"], ["migrate"], ["token", "create"]] {
            let result = try await DaemonProcess.run(command + ["--help"])
            #expect(result.status == 0)
            #expect(result.stdout.contains("USAGE"))
        }
        let serve = try await DaemonProcess.run(["serve", "--help"])
        #expect(serve.stdout.contains("CAMPAIGND_DATABASE_URL"))
        #expect(serve.stdout.contains("CAMPAIGND_PORT"))
    }
}

import Postgres
import TestSupport
import Testing

@Suite(.database) struct ErrorTests {
    @Test func uniqueViolationCarriesSQLStateAndConstraint() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        try await connection.query("CREATE TABLE people (email text CONSTRAINT people_email_key UNIQUE)")
        let secret = "someone@example.com"
        try await connection.query("INSERT INTO people VALUES (\(secret))")
        let error = try await #require(throws: PostgresError.self) {
            try await connection.query("INSERT INTO people VALUES (\(secret))")
        }
        #expect(error.code == .server)
        #expect(error.sqlState == PostgresError.SQLState.uniqueViolation)
        #expect(error.constraint == "people_email_key")
        // The DETAIL line quotes the value; the description must not.
        #expect(error.serverDetail?.contains(secret) == true)
        #expect(!"\(error)".contains(secret))
        // The connection stays usable after a statement error.
        #expect(try await connection.query("SELECT 1 AS one")[0].decode(Int.self, "one") == 1)
    }

    @Test func syntaxErrorHasPosition() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let error = try await #require(throws: PostgresError.self) {
            try await connection.query("SELECT FROM WHERE")
        }
        #expect(error.sqlState == PostgresError.SQLState.syntaxError)
        #expect(error.position == 13)
    }

    @Test func connectionFailureIsOneLineWithoutPassword() async throws {
        let configuration = try PostgresConfiguration(
            "host=127.0.0.1 port=1 user=nobody password=hunter2 connect_timeout=2")
        let error = try await #require(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(configuration, logger: TestCluster.logger)
        }
        #expect(error.code == .connectionFailed)
        #expect(!"\(error)".contains("\n"))
        #expect(!"\(error)".contains("hunter2"))
        #expect(!configuration.description.contains("hunter2"))
    }

    @Test func malformedConnectionStringIsRefusedBeforeConnecting() throws {
        let error = try #require(throws: PostgresError.self) {
            _ = try PostgresConfiguration("host=localhost port")
        }
        #expect(error.code == .invalidConfiguration)
        #expect(error.message.hasPrefix("invalid connection string"))
    }
}

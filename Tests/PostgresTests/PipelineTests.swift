import Postgres
import TestSupport
import Testing

/// libpq's pipeline mode: several statements in one round trip, a transaction's BEGIN sent
/// with its first statement, and the last statements sent with its COMMIT.
@Suite(.database) struct PipelineTests {
    @Test func pipelinedStatementsAnswerInOrderAndAFailureUndoesTheirImplicitTransaction() async throws {
        let pool = try TestDatabase.get().makePool()
        defer { pool.close() }
        try await pool.withConnection { connection in
            try await connection.query("CREATE TABLE piped (n int)")
            let rows = try await connection.pipeline([
                "INSERT INTO piped VALUES (1)", "INSERT INTO piped VALUES (2) RETURNING n", "SELECT count(*) AS n FROM piped",
            ])
            #expect(rows.count == 3)
            #expect(try rows[1][0].decode(Int.self, "n") == 2)
            #expect(try rows[2][0].decode(Int.self, "n") == 2)
            // The second fails: the first is undone with it, the third never runs.
            let failure = await #expect(throws: PostgresError.self) {
                try await connection.pipeline([
                    "INSERT INTO piped VALUES (3)", "INSERT INTO piped VALUES (1 / 0)", "INSERT INTO piped VALUES (4)",
                ])
            }
            #expect(failure?.sqlState == "22012")
            // A value PostgreSQL cannot hold is refused before anything is sent.
            let refused = await #expect(throws: PostgresError.self) {
                try await connection.pipeline(["INSERT INTO piped VALUES (5)", "SELECT \("a\u{0}b") AS text"])
            }
            #expect(refused?.code == .invalidParameter)
            // The connection is out of pipeline mode and usable.
            let left = try await connection.query("SELECT array_agg(n ORDER BY n) AS ns FROM piped")
            #expect(try left[0].decode([Int].self, "ns") == [1, 2])
        }
    }

    @Test func aTransactionsBeginGoesWithItsFirstStatement() async throws {
        let pool = try TestDatabase.get().makePool(PostgresPoolOptions(maximumConnections: 1))
        defer { pool.close() }
        let (isolation, name) = try await pool.withTransaction(
            isolation: .repeatableRead, settings: [(name: "application_name", value: "piped 'quote'")]
        ) { connection in
            let row = try await connection.query(
                "SELECT current_setting('transaction_isolation') AS isolation, current_setting('application_name') AS name")[0]
            return (try row.decode(String.self, "isolation"), try row.decode(String.self, "name"))
        }
        #expect(isolation == "repeatable read")
        #expect(name == "piped 'quote'")
        // SET LOCAL ended with the transaction; a body that sends nothing leaves the
        // connection idle; a first statement that fails rolls back what BEGIN started.
        try await pool.withTransaction { _ in }
        await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { try await $0.query("SELECT 1 / 0") }
        }
        try await pool.withConnection { connection in
            let name = try await connection.query("SELECT current_setting('application_name') AS name")[0]
            #expect(try name.decode(String.self, "name") != "piped 'quote'")
            // Outside any transaction: a savepoint is refused.
            let outside = await #expect(throws: PostgresError.self) {
                try await connection.execute(unsafeSQL: "SAVEPOINT probe")
            }
            #expect(outside?.sqlState == "25P01")
        }
        #expect(pool.statistics.idle == 1)
    }

    @Test func theLastStatementsCanGoWithTheCommit() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection { try await $0.query("CREATE TABLE ledger (n int)") }
        let counted = try await pool.withTransaction { connection in
            try await connection.query("INSERT INTO ledger VALUES (1)")
            let rows = try await connection.pipelineAndCommit([
                "INSERT INTO ledger VALUES (2)", "SELECT count(*) AS n FROM ledger",
            ])
            return try rows[1][0].decode(Int.self, "n")
        }
        #expect(counted == 2)
        // A failure among them rolls the whole transaction back.
        await #expect(throws: PostgresError.self) {
            try await pool.withTransaction { connection in
                try await connection.query("INSERT INTO ledger VALUES (3)")
                _ = try await connection.pipelineAndCommit(["INSERT INTO ledger VALUES (4)", "SELECT 1 / 0"])
            }
        }
        let other = try await database.connect()
        defer { other.close() }
        let rows = try await other.query("SELECT array_agg(n ORDER BY n) AS ns FROM ledger")
        #expect(try rows[0].decode([Int].self, "ns") == [1, 2])
    }
}

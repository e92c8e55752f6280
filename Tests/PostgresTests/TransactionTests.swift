import Postgres
import TestSupport
import Testing

struct Boom: Error {}

@Suite(.database) struct TransactionTests {
    @Test func commitsOnReturnAndRollsBackOnThrow() async throws {
        let pool = try TestDatabase.get().makePool()
        defer { pool.close() }
        try await pool.withConnection { try await $0.query("CREATE TABLE ledger (n int)") }
        try await pool.withTransaction { try await $0.query("INSERT INTO ledger VALUES (1)") }
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { connection in
                try await connection.query("INSERT INTO ledger VALUES (2)")
                throw Boom()
            }
        }
        let rows = try await pool.withConnection { try await $0.query("SELECT array_agg(n) AS ns FROM ledger") }
        #expect(try rows[0].decode([Int].self, "ns") == [1])
        // The connection that saw the rollback went back to the pool idle and usable.
        #expect(pool.statistics.idle >= 1)
    }

    @Test func serializationFailuresAreRetried() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection {
            try await $0.execute(unsafeSQL: "CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)")
        }
        var attempts = 0
        try await pool.withTransaction(isolation: .serializable, retryOnConflict: true) { connection in
            attempts += 1
            let n = try await connection.query("SELECT n FROM counter")[0].decode(Int.self, "n")
            if attempts == 1 {
                // Another session commits a change to the row this transaction has read.
                let other = try await database.connect()
                defer { other.close() }
                try await other.query("UPDATE counter SET n = n + 1")
            }
            try await connection.query("UPDATE counter SET n = \(n + 1)")
        }
        #expect(attempts == 2)
        let n = try await pool.withConnection { try await $0.query("SELECT n FROM counter")[0].decode(Int.self, "n") }
        #expect(n == 2)
    }

    @Test func withoutRetryTheConflictSurfaces() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        try await pool.withConnection {
            try await $0.execute(unsafeSQL: "CREATE TABLE counter2 (n int); INSERT INTO counter2 VALUES (0)")
        }
        let error = try await #require(throws: PostgresError.self) {
            try await pool.withTransaction(isolation: .repeatableRead) { connection in
                _ = try await connection.query("SELECT n FROM counter2")
                let other = try await database.connect()
                defer { other.close() }
                try await other.query("UPDATE counter2 SET n = n + 1")
                try await connection.query("UPDATE counter2 SET n = n + 10")
            }
        }
        #expect(error.isTransient)
        #expect(error.sqlState == PostgresError.SQLState.serializationFailure)
    }
}

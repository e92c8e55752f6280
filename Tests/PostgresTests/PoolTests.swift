import Postgres
import TestSupport
import Testing

@Suite(.database) struct PoolTests {
    @Test func exhaustedPoolTimesOutWithAClearError() async throws {
        let pool = try TestDatabase.get().makePool(
            PostgresPoolOptions(minimumConnections: 0, maximumConnections: 2, acquireTimeout: .milliseconds(300)))
        defer { pool.close() }
        let (held, release) = AsyncStream.makeStream(of: Void.self)
        let (started, started_) = AsyncStream.makeStream(of: Void.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    try await pool.withConnection { _ in
                        started_.yield()
                        for await _ in held { break }
                    }
                }
            }
            var iterator = started.makeAsyncIterator()
            _ = await iterator.next()
            _ = await iterator.next()
            #expect(pool.statistics.inUse == 2)
            let error = try await #require(throws: PostgresError.self) {
                try await pool.withConnection { _ in }
            }
            #expect(error.code == .poolTimeout)
            #expect(error.message.contains("pool of 2"))
            release.finish()
            try await group.waitForAll()
        }
        // Once released, the connections serve again.
        let one = try await pool.withConnection { try await $0.query("SELECT 1 AS one")[0].decode(Int.self, "one") }
        #expect(one == 1)
        #expect(pool.statistics.inUse == 0)
        #expect(pool.statistics.idle == 2)
    }

    @Test func waitersGetConnectionsInTurn() async throws {
        let pool = try TestDatabase.get().makePool(
            PostgresPoolOptions(minimumConnections: 0, maximumConnections: 2, acquireTimeout: .seconds(30)))
        defer { pool.close() }
        // Twenty borrowers share two connections; each one's work is a real query.
        let sums = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await pool.withConnection { connection in
                        try await connection.query("SELECT \(index) + pg_backend_pid() * 0 AS v, pg_sleep(0.01)")[0]
                            .decode(Int.self, "v")
                    }
                }
            }
            return try await group.reduce(into: 0) { $0 += $1 }
        }
        #expect(sums == (0..<20).reduce(0, +))
        #expect(pool.statistics.idle <= 2)
        #expect(pool.statistics.waiting == 0)
    }

    @Test func brokenConnectionsAreReplaced() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool(PostgresPoolOptions(minimumConnections: 1, maximumConnections: 1))
        defer { pool.close() }
        let firstPID = try await pool.withConnection {
            try await $0.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
        }
        let admin = try await database.connect()
        defer { admin.close() }
        try await admin.query("SELECT pg_terminate_backend(\(Int32(firstPID)))")
        // The idle connection's socket now reports the server's goodbye; the pool notices
        // on the next borrow and opens a fresh connection instead of failing the caller.
        try await Task.sleep(for: .milliseconds(100))
        let secondPID = try await pool.withConnection {
            try await $0.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
        }
        #expect(secondPID != firstPID)
    }

    @Test func connectionLeftInATransactionIsNotReused() async throws {
        let pool = try TestDatabase.get().makePool(PostgresPoolOptions(minimumConnections: 0, maximumConnections: 1))
        defer { pool.close() }
        let first = try await pool.withConnection { connection in
            try await connection.execute(unsafeSQL: "BEGIN")
            return try await connection.query("SELECT pg_backend_pid() AS pid")[0].decode(Int.self, "pid")
        }
        let second = try await pool.withConnection {
            try await $0.query("SELECT pg_backend_pid() AS pid, now() = statement_timestamp() AS fresh")
        }
        #expect(try second[0].decode(Int.self, "pid") != first)
    }
}

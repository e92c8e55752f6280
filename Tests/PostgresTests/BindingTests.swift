import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.database) struct BindingTests {
    @Test func valuesRoundTripAsBoundParameters() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let tricky = "it's a \"quote\", $1 and $$dollars$$; -- not a comment\n\\ backslash"
        let unicode = "Zoë 🎉 캠페인 \u{0301}"
        let rows = try await connection.query(
            "SELECT \(tricky) AS tricky, \(unicode) AS unicode, \(42) AS answer, \(true) AS yes, \(2.5) AS half")
        #expect(try rows[0].decode(String.self, "tricky") == tricky)
        #expect(try rows[0].decode(String.self, "unicode") == unicode)
        #expect(try rows[0].decode(Int.self, "answer") == 42)
        #expect(try rows[0].decode(Bool.self, "yes"))
        #expect(try rows[0].decode(Double.self, "half") == 2.5)
    }

    @Test func nullIsBoundForNilOptionals() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let missing: String? = nil
        let present: Int? = 7
        let rows = try await connection.query(
            "SELECT \(missing) IS NULL AS missing_is_null, \(present) AS present, \(missing) AS missing")
        #expect(try rows[0].decode(Bool.self, "missing_is_null"))
        #expect(try rows[0].decode(Int?.self, "present") == 7)
        #expect(try rows[0].decode(String?.self, "missing") == nil)
    }

    @Test func largeTextSurvivesIntact() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let large = String(repeating: "0123456789abcdef", count: 131_072)  // 2 MiB
        let rows = try await connection.query("SELECT \(large) AS value, length(\(large)) AS length")
        #expect(try rows[0].decode(Int.self, "length") == large.count)
        #expect(try rows[0].decode(String.self, "value") == large)
    }

    @Test func interpolatedValuesCannotInjectSQL() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        try await connection.query("CREATE TABLE injection_target (name text)")
        let hostile = "x'); DROP TABLE injection_target; --"
        try await connection.query("INSERT INTO injection_target (name) VALUES (\(hostile))")
        let rows = try await connection.query("SELECT name FROM injection_target")
        #expect(rows.count == 1)
        #expect(try rows[0].decode(String.self, "name") == hostile)
    }

    @Test func identifiersAreQuotedByLibpq() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let table = "Odd \"Table\"; name"
        try await connection.query("CREATE TABLE \(identifier: table) (id int)")
        try await connection.query("INSERT INTO \(identifier: table) VALUES (1)")
        let rows = try await connection.query("SELECT count(*) AS n FROM \(identifier: table)")
        #expect(try rows[0].decode(Int.self, "n") == 1)
        #expect(try connection.quoteIdentifier("a\"b") == "\"a\"\"b\"")
    }

    @Test func composedQueriesKeepTheirBindings() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let conditions: [PostgresQuery] = ["n > \(2)", "n < \(5)", "n <> \(3)"]
        let query: PostgresQuery =
            "SELECT array_agg(n ORDER BY n) AS picked FROM generate_series(1, 10) n WHERE "
            + PostgresQuery.joined(conditions, separator: " AND ")
        let rows = try await connection.query(query)
        #expect(try rows[0].decode([Int].self, "picked") == [4])
    }

    @Test func arraysAndDatesAndUUIDsBind() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let words = ["plain", "with space", "with \"quote\"", "back\\slash", "", "NULL", "a,b", "{braces}"]
        let numbers = [1, -2, Int.max]
        let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
        let id = UUID()
        let rows = try await connection.query(
            """
            SELECT \(words) AS words, cardinality(\(words)) AS word_count, \(numbers) AS numbers,
                   \(date) AS at, \(id) AS id
            """)
        #expect(try rows[0].decode([String].self, "words") == words)
        #expect(try rows[0].decode(Int.self, "word_count") == words.count)
        #expect(try rows[0].decode([Int].self, "numbers") == numbers)
        let decoded = try rows[0].decode(Date.self, "at")
        #expect(abs(decoded.timeIntervalSince(date)) < 0.000_001)
        #expect(try rows[0].decode(UUID.self, "id") == id)
    }
}

@Suite(.database) struct TimestampEdgeTests {
    /// Every `timestamptz` PostgreSQL holds reads into a `Date`, and binds back as the
    /// same value: infinities, years past 9999 and before 1, and both ends of the range.
    @Test(arguments: [
        "infinity", "-infinity", "10000-01-01 00:00:00+00", "0044-03-15 12:00:00+00 BC", "0001-01-01 00:00:00+00",
        "0001-12-31 23:59:59.5+00 BC", "294276-12-31 23:59:59.999999+00", "4714-11-24 00:00:00+00 BC",
        "2026-11-29 10:11:12.345678+00",
    ])
    func edgeTimestampsRoundTrip(_ text: String) async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        try await connection.query("SET TIME ZONE 'UTC'")
        let read = try await connection.query("SELECT \(text)::timestamptz AS at")[0].decode(Date.self, "at")
        let back = try await connection.query(
            "SELECT \(read)::timestamptz = \(text)::timestamptz AS same, \(read)::timestamptz::text AS text")
        #expect(try back[0].decode(Bool.self, "same"), "\(text) came back as \((try? back[0].decode(String.self, "text")) ?? "?")")
    }
}

@Suite(.database) struct NULBindingTests {
    @Test func aNULCharacterIsRefusedNotTruncated() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let error = try await #require(throws: PostgresError.self) {
            try await connection.query("SELECT \("before\u{0}after") AS value")
        }
        #expect(error.code == .invalidParameter)
    }
}

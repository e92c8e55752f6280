import Foundation
import Postgres
import TestSupport
import Testing

struct Settings: Codable, Equatable, Sendable {
    var color: String
    var sizes: [Int]
    var nested: [String: Bool]
}

@Suite(.database) struct DecodingTests {
    @Test func everyDecoderReadsItsType() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let rows = try await connection.query(
            """
            SELECT 1::int2 AS small, 2147483647::int4 AS medium, 9223372036854775807::int8 AS big,
                   'text'::text AS text, 'var'::varchar(10) AS var, true AS yes, false AS no,
                   1.5::float8 AS float, 2.25::numeric AS decimal,
                   '2026-11-29 10:11:12.345678+02'::timestamptz AS at,
                   '2026-11-29 10:11:12'::timestamp AS naive,
                   'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id,
                   '{"color":"red","sizes":[1,2],"nested":{"x":true}}'::jsonb AS settings,
                   '{"color":"blue","sizes":[],"nested":{}}'::json AS plain_json,
                   ARRAY['a', NULL::text, 'c'] AS with_null,
                   ARRAY[]::text[] AS empty, ARRAY[1,2,3]::int4[] AS ints,
                   NULL::int8 AS nothing
            """)
        let row = rows[0]
        #expect(try row.decode(Int.self, "small") == 1)
        #expect(try row.decode(Int32.self, "medium") == Int32.max)
        #expect(try row.decode(Int64.self, "big") == Int64.max)
        #expect(try row.decode(String.self, "text") == "text")
        #expect(try row.decode(String.self, "var") == "var")
        #expect(try row.decode(Bool.self, "yes") == true)
        #expect(try row.decode(Bool.self, "no") == false)
        #expect(try row.decode(Double.self, "float") == 1.5)
        #expect(try row.decode(Double.self, "decimal") == 2.25)
        let at = try row.decode(Date.self, "at")
        #expect(at.timeIntervalSince1970 == 1_795_939_872.345678)
        #expect(try row.decode(Date.self, "naive").timeIntervalSince1970 == 1_795_947_072)
        #expect(try row.decode(UUID.self, "id") == UUID(uuidString: "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"))
        #expect(
            try row.decodeJSON(Settings.self, "settings")
                == Settings(color: "red", sizes: [1, 2], nested: ["x": true]))
        #expect(try row.decodeJSON(Settings.self, "plain_json").color == "blue")
        #expect(try row.decode([String].self, "empty") == [])
        #expect(try row.decode([Int].self, "ints") == [1, 2, 3])
        #expect(try row.decode(Int?.self, "nothing") == nil)
        #expect(try row.decode(Int?.self, "small") == 1)
        #expect(try row.decode(Int.self, at: 0) == 1)
    }

    @Test func jsonBindsAsJSONB() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let settings = Settings(color: "green", sizes: [3], nested: ["deep": false])
        let rows = try await connection.query(
            "SELECT \(PostgresJSON(settings)) AS value, jsonb_typeof(\(PostgresJSON(settings))) AS kind")
        #expect(try rows[0].decodeJSON(Settings.self, "value") == settings)
        #expect(try rows[0].decode(String.self, "kind") == "object")
    }

    @Test(arguments: [
        ("SELECT 'x'::text AS c", "cannot decode text as Int"),
        ("SELECT 1::int8 AS c", "cannot decode int8 as String"),
    ])
    func mismatchNamesTheColumn(sql: String, message: String) async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql))
        let error = try #require(throws: PostgresError.self) {
            if message.hasSuffix("Int") {
                _ = try rows[0].decode(Int.self, "c")
            } else {
                _ = try rows[0].decode(String.self, "c")
            }
        }
        #expect(error.code == .decoding)
        #expect(error.column == "c")
        #expect(error.message == message)
        #expect("\(error)".contains("column \"c\""))
    }

    @Test func eachDecoderRefusesOtherTypes() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let row = try await connection.query("SELECT 'x'::text AS t, 1 AS i, NULL::text AS n, ARRAY[NULL::int8] AS a")[0]
        #expect(throws: PostgresError.self) { try row.decode(Bool.self, "i") }
        #expect(throws: PostgresError.self) { try row.decode(Double.self, "t") }
        #expect(throws: PostgresError.self) { try row.decode(Date.self, "t") }
        #expect(throws: PostgresError.self) { try row.decode(UUID.self, "t") }
        #expect(throws: PostgresError.self) { try row.decode([String].self, "t") }
        #expect(throws: PostgresError.self) { try row.decodeJSON(Settings.self, "t") }
        #expect(throws: PostgresError.self) { try row.decode([Int].self, "a") }
        let null = try #require(throws: PostgresError.self) { try row.decode(String.self, "n") }
        #expect(null.message.contains("NULL"))
        let missing = try #require(throws: PostgresError.self) { try row.decode(String.self, "nope") }
        #expect(missing.column == "nope")
    }
}

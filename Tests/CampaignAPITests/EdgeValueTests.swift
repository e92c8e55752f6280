import Domain
import Foundation
import Postgres
import TestSupport
import Testing

/// Values at the edges of what the API and PostgreSQL hold: far dates, infinite
/// timestamps a DBA wrote, numbers past 2^53.
@Suite(.databasePerTest) struct EdgeValueTests {
    static let package = #""label": "Edge", "type": "local", "campaign_name": "e", "campaign_folder": "/e""#

    func parse(_ response: HTTPTestResponse) throws -> JSONValue {
        try JSONValue(parsing: response.body)
    }

    /// The last instant RFC 3339 and PostgreSQL's text share is accepted; anything that
    /// would round past it, or lies outside years 1 to 9999, is a 422 that changes nothing.
    @Test func timestampsOutsideTheRangeAre422() async throws {
        let api = try await APIHarness.start()
        let last = try await api.central.post("/v1/packages", #"{\#(Self.package), "visible_until": "9999-12-31T23:59:59.99999Z"}"#)
        #expect(last.status == 201, "\(last.text)")
        let id = try #require(try last.string("id"))
        #expect(try await api.central.get("/v1/packages/\(id)").string("visible_until") == "9999-12-31T23:59:59.999Z")

        for text in [
            "9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.999999999Z", "10000-01-01T00:00:00Z",
            "0000-12-31T23:59:59Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:30:00-01:00",
        ] {
            let created = try await api.central.post("/v1/packages", #"{\#(Self.package), "order_deadline": "\#(text)"}"#)
            #expect(created.status == 422, "\(text): \(created.text)")
            #expect(try created.string("code") == "validation_failed")
            let patched = try await api.central.patch("/v1/packages/\(id)", #"{"available_at": "\#(text)"}"#)
            #expect(patched.status == 422, "\(text): \(patched.text)")
        }
        #expect(try await api.central.get("/v1/packages").items().count == 1)
        #expect(try await api.central.get("/v1/packages/\(id)").json()["available_at"] is NSNull)
    }

    /// What PostgreSQL holds and RFC 3339 cannot write is shown, not a 500: `infinity`,
    /// `-infinity`, and ISO 8601 expanded years.
    @Test func infiniteAndFarTimestampsWrittenInSQLAreShown() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let forever = try await api.package(#"{\#(Self.package)}"#)
        let far = try await api.package(#"{\#(Self.package)}"#)
        let connection = try await api.connect()
        defer { connection.close() }
        try await connection.query(
            "UPDATE central.packages SET visible_until = 'infinity', visible_from = '-infinity' WHERE id = \(Int(forever) ?? 0)")
        try await connection.query(
            """
            UPDATE central.packages SET visible_until = '10000-01-01 00:00:00+00', visible_from = '0044-03-15 12:00:00+00 BC',
                order_deadline = '294276-12-31 23:59:59.999999+00'
            WHERE id = \(Int(far) ?? 0)
            """)

        let list = try await api.central.get("/v1/packages")
        #expect(list.status == 200)
        let detail = try await api.central.get("/v1/packages/\(forever)")
        #expect(detail.status == 200)
        #expect(try detail.string("visible_until") == "infinity")
        #expect(try detail.string("visible_from") == "-infinity")
        let farDetail = try await api.central.get("/v1/packages/\(far)")
        #expect(farDetail.status == 200)
        #expect(try farDetail.string("visible_until") == "+10000-01-01T00:00:00.000Z")
        #expect(try farDetail.string("visible_from") == "-0043-03-15T12:00:00.000Z")
        #expect(try farDetail.string("order_deadline")?.hasPrefix("+294276-12-31T23:59:59.") == true)

        // Both are visible now, so the entity's catalogue lists both, and it can order.
        let catalogue = try await paris.get("/v1/catalog")
        #expect(catalogue.status == 200)
        #expect(Set(try catalogue.items().compactMap { $0["id"] as? String }) == [forever, far])
        #expect(try await paris.post("/v1/packages/\(forever)/orders", #"{"label": "o"}"#).status == 201)

        // A package edited through the API keeps the values the DBA wrote in the fields
        // the edit did not touch.
        let editable = try await api.package(#"{\#(Self.package)}"#, upTo: "being_edited")
        try await connection.query(
            """
            UPDATE central.packages SET visible_until = 'infinity', approval_deadline = '10000-01-01 00:00:00+00'
            WHERE id = \(Int(editable) ?? 0)
            """)
        let renamed = try await api.central.patch("/v1/packages/\(editable)", #"{"label": "Renamed"}"#)
        #expect(renamed.status == 200, "\(renamed.text)")
        #expect(try renamed.string("visible_until") == "infinity")
        let kept = try await connection.query(
            "SELECT visible_until::text AS until, approval_deadline::text AS deadline FROM central.packages WHERE id = \(Int(editable) ?? 0)")
        #expect(try kept[0].decode(String.self, "until") == "infinity")
        #expect(try kept[0].decode(String.self, "deadline").hasPrefix("10000-01-01 00:00:00"))
    }

    /// Cursors are exact 64-bit integers; numbers in settings and parameters come back as
    /// they were sent, every digit.
    @Test func numbersPast2To53KeepEveryDigit() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let feed = try await paris.get("/v1/notifications?after=9007199254740993")
        #expect(feed.status == 200)
        #expect(try parse(feed).objectValue?["next_cursor"] == .number(JSONNumber(9_007_199_254_740_993)))
        #expect(feed.text.contains(#""next_cursor":9007199254740993"#))
        #expect(try await paris.get("/v1/notifications?after=9223372036854775807").status == 200)
        #expect(try await paris.get("/v1/notifications?after=9223372036854775808").status == 422)

        let settings = #"{"big": 12345678901234567890, "exact": 9007199254740993, "pi": 3.14159265358979323846264338327950288, "small": 1E-7}"#
        let created = try await api.central.post("/v1/packages", #"{\#(Self.package), "settings": \#(settings)}"#)
        #expect(created.status == 201)
        let id = try #require(try created.string("id"))
        let expected = try JSONValue(parsing: Array(settings.utf8))
        let shown = try parse(try await api.central.get("/v1/packages/\(id)")).objectValue?["settings"]
        // PostgreSQL's numeric writes 1E-7 as 0.0000001: the same number, every digit kept.
        #expect(shown?.objectValue?["big"] == expected.objectValue?["big"])
        #expect(shown?.objectValue?["exact"] == expected.objectValue?["exact"])
        #expect(shown?.objectValue?["pi"] == expected.objectValue?["pi"])
        #expect(shown?.objectValue?["small"] == .number(try #require(JSONNumber(text: "0.0000001"))))

        // A number PostgreSQL's numeric cannot hold is a 422 naming the field, not a 500;
        // nesting past the parser's depth is not accepted as JSON.
        for number in ["1e131072", "0.5e-16383"] {
            let refused = try await api.central.patch("/v1/packages/\(id)", #"{"settings": {"deep": [\#(number)]}}"#)
            #expect(refused.status == 422, "\(number): \(refused.text)")
            #expect(refused.text.contains(#""field":"settings""#))
        }
        let nested = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let tooDeep = try await api.central.patch("/v1/packages/\(id)", #"{"settings": {"deep": \#(nested)}}"#)
        #expect(tooDeep.status == 400)
        #expect(try tooDeep.string("code") == "malformed_json")

        for action in ["submit", "approve", "publish"] {
            #expect(try await (action == "submit" ? api.central : api.approver).post("/v1/packages/\(id)/\(action)").status == 200)
        }
        let order = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "o", "parameters": {"count": 12345678901234567890}}"#)
        #expect(order.status == 201)
        #expect(order.text.contains(#""count":12345678901234567890"#))
        let orderID = try #require(try order.string("id"))
        let edited = try await paris.patch("/v1/orders/\(orderID)", #"{"parameters": {"count": -98765432109876543210.5}}"#)
        #expect(edited.status == 200)
        #expect(try await paris.get("/v1/orders/\(orderID)").text.contains(#""count":-98765432109876543210.5"#))
    }
}

import Foundation
import TestSupport
import Testing

@Suite(.databasePerTest) struct PackageListTests {
    @Test func filtersByStatusTypeLateUnavailableAndText() async throws {
        let api = try await APIHarness.start()
        let local = #"{"label": "Local flyers", "type": "local", "campaign_name": "a", "campaign_folder": "/a"}"#
        let collaborative =
            #"{"label": "Collab 100% sale_x", "type": "collaborative", "campaign_name": "b", "campaign_folder": "/b"}"#
        let edited = try await api.package(local, upTo: "being_edited")
        let pending = try await api.package(collaborative, upTo: "pending_approval")
        let published = try await api.package(collaborative)
        let latePending = try await api.package(
            #"{"label": "Late one", "type": "local", "campaign_name": "c", "campaign_folder": "/c", "approval_deadline": "2020-01-01T00:00:00Z"}"#,
            upTo: "pending_approval")
        let expired = try await api.package(
            #"{"label": "Old news", "type": "local", "campaign_name": "d", "campaign_folder": "/d", "visible_until": "2020-01-01T00:00:00Z"}"#)

        func ids(_ query: String) async throws -> [String] {
            let answer = try await api.central.get("/v1/packages\(query)")
            #expect(answer.status == 200, "\(answer.text)")
            return try answer.items().compactMap { $0["id"] as? String }
        }
        #expect(try await ids("") == [expired, latePending, published, pending, edited])
        #expect(try await ids("?status=published,pending_approval") == [expired, latePending, published, pending])
        #expect(try await ids("?status=published&status=being_edited") == [expired, published, edited])
        #expect(try await ids("?status=published,pending_approval&type=collaborative") == [published, pending])
        #expect(try await ids("?late=true") == [latePending])
        #expect(try await ids("?unavailable=true") == [expired])
        #expect(try await ids("?unavailable=false&type=local") == [latePending, edited])
        #expect(try await ids("?q=collab") == [published, pending])
        #expect(try await ids("?q=100%25") == [published, pending])
        #expect(try await ids("?q=%25") == [published, pending])
        #expect(try await ids("?q=e_x") == [published, pending])

        let late = try await api.central.get("/v1/packages?late=true").items()
        #expect(late.first?["late"] as? Bool == true)
        #expect(late.first?["unavailable"] as? Bool == false)
        let bad = try await api.central.get("/v1/packages?status=lost&late=maybe&limit=9999")
        #expect(bad.status == 422)
        let fields = try (bad.json()["problems"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(Set(fields) == ["status", "late", "limit"])
    }

    @Test func cursorPagingIsStableWhileRowsAreAdded() async throws {
        let api = try await APIHarness.start()
        var created: [String] = []
        for index in 0..<7 {
            created.append(
                try await api.package(
                    #"{"label": "P\#(index)", "type": "local", "campaign_name": "n", "campaign_folder": "/f"}"#,
                    upTo: index % 2 == 0 ? "published" : "pending_approval"))
        }
        var seen: [String] = []
        var cursor: String?
        repeat {
            let answer = try await api.central.get(
                "/v1/packages?status=published,pending_approval&limit=3" + (cursor.map { "&cursor=\($0)" } ?? ""))
            seen += try answer.items().compactMap { $0["id"] as? String }
            cursor = try answer.string("next_cursor")
            // A package created while paging does not shift the pages.
            if seen.count == 3 { _ = try await api.package() }
        } while cursor != nil
        #expect(seen == created.reversed())
    }

    @Test func orderCountsAreByStatusOfTheCurrentRevision() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let id = try await api.package()
        let order = try #require(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "p"}"#).string("id"))
        _ = try await lyon.post("/v1/packages/\(id)/orders", #"{"label": "l"}"#)
        _ = try await api.central.post("/v1/orders/\(order)/approve")
        let listed = try await api.central.get("/v1/packages").items()
        #expect(listed.first?["order_counts"] as? [String: Int] == ["approved": 1, "pending_approval": 1])
    }
}

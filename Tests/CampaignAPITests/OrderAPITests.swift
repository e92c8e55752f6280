import Foundation
import TestSupport
import Testing

@Suite(.databasePerTest) struct OrderAPITests {
    static func localPackage(audience: String = "null", mode: String = "manual", several: Bool = false) -> String {
        #"{"label": "Flyers", "type": "local", "campaign_name": "flyers", "campaign_folder": "/f", "audience": \#(audience), "approval_mode": "\#(mode)", "allows_several_orders": \#(several)}"#
    }

    @Test func entityOrdersAndCentralApproves() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let id = try await api.package(Self.localPackage())
        let catalog = try await paris.get("/v1/catalog")
        #expect(try catalog.items().map { $0["id"] as? String } == [id])

        let order = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "500 flyers", "parameters": {"count": 500}}"#)
        #expect(order.status == 201, "\(order.text)")
        #expect(try order.string("status") == "pending_approval")
        #expect(try order.string("entity") == "PAR-01")
        #expect((try order.json()["parameters"] as? [String: Any])?["count"] as? Int == 500)
        let orderID = try #require(try order.string("id"))

        let twice = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "again"}"#)
        #expect(twice.status == 409)
        #expect(try twice.string("code") == "already_ordered")

        // The entity may not decide its own order.
        #expect(try await paris.post("/v1/orders/\(orderID)/approve").status == 403)
        let approved = try await api.central.post("/v1/orders/\(orderID)/approve", #"{"comment": "go"}"#)
        #expect(approved.status == 200)
        #expect(try approved.string("status") == "approved")
        #expect(try approved.string("decision_comment") == "go")

        let connection = try await api.connect()
        defer { connection.close() }
        let campaigns = try await connection.query("SELECT count(*) AS n FROM local.local_campaigns")
        #expect(try campaigns[0].decode(Int.self, "n") == 1)
        let notes = try await connection.query(
            "SELECT kind, comment FROM local.notifications WHERE order_id = \(Int(orderID) ?? 0)")
        #expect(try notes.map { try $0.decode(String.self, "kind") } == ["order_approved"])
        #expect(try notes[0].decode(String?.self, "comment") == "go")

        let summary = try await api.central.get("/v1/packages/\(id)")
        #expect((try summary.json()["order_counts"] as? [String: Int]) == ["approved": 1])
        let byEntity = try summary.json()["orders_by_entity"] as? [[String: Any]]
        #expect(byEntity?.first?["entity"] as? String == "PAR-01")
        #expect(byEntity?.first?["order_id"] as? String == orderID)
    }

    @Test func automaticApprovalAndSeveralOrders() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let id = try await api.package(Self.localPackage(mode: "automatic", several: true))
        for label in ["one", "two"] {
            let order = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "\#(label)"}"#)
            #expect(order.status == 201)
            #expect(try order.string("status") == "approved")
        }
        let connection = try await api.connect()
        defer { connection.close() }
        #expect(try await connection.query("SELECT count(*) AS n FROM local.local_campaigns")[0].decode(Int.self, "n") == 2)
    }

    @Test func orderingIsRefusedOutsideTheRules() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        _ = try await api.entity("LYO-01")
        // A package outside the entity's catalogue answers as a missing id does, whatever
        // its state: not published yet, or past its visibility window.
        let missing = try await paris.post("/v1/packages/987654321/orders", #"{"label": "x"}"#)
        #expect(missing.status == 404)
        let draft = try await api.package(Self.localPackage(), upTo: "approved")
        let hidden = try await api.package(
            #"{"label": "Hidden", "type": "local", "campaign_name": "h", "campaign_folder": "/h", "visible_until": "2020-01-01T00:00:00Z"}"#)
        for package in [draft, hidden] {
            let refused = try await paris.post("/v1/packages/\(package)/orders", #"{"label": "x"}"#)
            #expect(refused.status == 404)
            #expect(try refused.string("code") == missing.string("code"))
            #expect(try refused.string("title") == missing.string("title"))
        }
        // Offered to another entity only: it does not exist for Paris.
        let lyon = try await api.package(Self.localPackage(audience: #"["LYO-01"]"#))
        #expect(try await paris.post("/v1/packages/\(lyon)/orders", #"{"label": "x"}"#).status == 404)
        #expect(try await paris.get("/v1/catalog").items().isEmpty)
        // Past its order deadline.
        let late = try await api.package(
            #"{"label": "Late", "type": "local", "campaign_name": "l", "campaign_folder": "/l", "available_at": "2020-01-01T00:00:00Z", "order_deadline": "2020-02-01T00:00:00Z"}"#)
        let tooLate = try await paris.post("/v1/packages/\(late)/orders", #"{"label": "x"}"#)
        #expect(tooLate.status == 409)
        #expect(try tooLate.string("code") == "deadline_passed")
        // Central tokens do not order.
        #expect(try await api.central.post("/v1/packages/\(lyon)/orders", #"{"label": "x"}"#).status == 403)
        #expect(try await api.central.get("/v1/orders").items().isEmpty)
    }

    @Test func entitiesSeeOnlyTheirOwnOrders() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let id = try await api.package(Self.localPackage())
        let parisOrder = try #require(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "p"}"#).string("id"))
        let lyonOrder = try #require(try await lyon.post("/v1/packages/\(id)/orders", #"{"label": "l"}"#).string("id"))

        #expect(try await paris.get("/v1/orders").items().map { $0["id"] as? String } == [parisOrder])
        #expect(try await paris.get("/v1/orders?entity=LYO-01").items().isEmpty)
        for attempt in [
            try await paris.get("/v1/orders/\(lyonOrder)"),
            try await paris.patch("/v1/orders/\(lyonOrder)", #"{"label": "mine now"}"#),
            try await paris.post("/v1/orders/\(lyonOrder)/cancel"),
            try await paris.post("/v1/orders/\(lyonOrder)/approve"),
        ] {
            #expect(attempt.status == 404)
            #expect(try attempt.string("code") == "not_found")
        }
        let all = try await api.central.get("/v1/orders")
        #expect(Set(try all.items().compactMap { $0["id"] as? String }) == [parisOrder, lyonOrder])
        #expect(try await api.central.get("/v1/orders?entity=LYO-01").items().map { $0["id"] as? String } == [lyonOrder])
        #expect(try await api.central.get("/v1/orders?status=approved").items().isEmpty)
        #expect(try await api.central.get("/v1/orders?package=\(id)&status=pending_approval").items().count == 2)
    }

    @Test func editAndCancelFollowTheOrderTable() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let id = try await api.package(Self.localPackage(several: true))
        let first = try #require(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "a"}"#).string("id"))
        let edited = try await paris.patch("/v1/orders/\(first)", #"{"comment": "rush"}"#)
        #expect(edited.status == 200)
        #expect(try edited.string("comment") == "rush")
        #expect(try await api.central.post("/v1/orders/\(first)/approve").status == 200)
        // Approved: the entity may no longer edit it, the central entity may.
        #expect(try await paris.patch("/v1/orders/\(first)", #"{"label": "b"}"#).status == 409)
        #expect(try await api.central.patch("/v1/orders/\(first)", #"{"label": "b"}"#).status == 200)
        // The entity cancels its own order: no notification; cancelled stays cancelled.
        let cancelled = try await paris.post("/v1/orders/\(first)/cancel", #"{"comment": "changed my mind"}"#)
        #expect(try cancelled.string("status") == "cancelled")
        #expect(try cancelled.string("cancel_reason") == "cancelled_by_entity")
        #expect(try await paris.post("/v1/orders/\(first)/cancel").status == 409)
        // A central cancel notifies the entity.
        let second = try #require(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "c"}"#).string("id"))
        #expect(try await api.central.post("/v1/orders/\(second)/reject", #"{"comment": "no"}"#).string("status") == "rejected")
        #expect(try await api.central.post("/v1/orders/\(second)/cancel", #"{"comment": "cleanup"}"#).status == 200)
        let connection = try await api.connect()
        defer { connection.close() }
        let kinds = try await connection.query("SELECT kind FROM local.notifications ORDER BY cursor")
            .map { try $0.decode(String.self, "kind") }
        #expect(kinds == ["package_available", "order_approved", "order_rejected", "order_cancelled"])
    }
}

import Foundation
import TestSupport
import Testing

/// The local portal over HTTP against a real daemon, and the order form through the API:
/// one rule for both.
@Suite(.databasePerTest) struct PortalTests {
    static let password = ConsoleTests.password
    static let form = #"[{"name": "copies", "label": "Copies", "type": "number", "required": true, "min": 1, "max": 5000}, {"name": "format", "label": "Format", "type": "choice", "choices": ["A4", "A5"], "required": true}, {"name": "note", "label": "Note for the printer", "type": "text", "max_length": 20}]"#

    /// A daemon, entities PAR-01 and LYO-01, a local operator of each, and a published
    /// package with an order form offered to PAR-01 only.
    static func start() async throws -> (APIHarness, package: String, paris: HTTPTestClient) {
        let api = try await APIHarness.start(["--password-cost", "10"])
        let paris = try await api.entity("PAR-01")
        _ = try await api.entity("LYO-01")
        for (name, entity) in [("marie", "PAR-01"), ("luc", "LYO-01")] {
            #expect(try await api.central.post("/v1/operators", #"{"name": "\#(name)", "role": "local", "entity": "\#(entity)"}"#).status == 201)
            #expect(try await api.central.put("/v1/operators/\(name)/password", #"{"password": "\#(password)"}"#).status == 204)
        }
        #expect(try await api.central.put("/v1/operators/tester/password", #"{"password": "\#(password)"}"#).status == 204)
        let package = try await api.package(
            #"{"label": "Flyers <b>spring</b>", "type": "local", "campaign_name": "f", "campaign_folder": "/f", "audience": ["PAR-01"], "order_form": \#(form)}"#)
        return (api, package, paris)
    }

    @Test func theOrderFormIsCheckedByTheAPI() async throws {
        let (api, package, paris) = try await Self.start()
        let detail = try await api.central.get("/v1/packages/\(package)").json()
        #expect((detail["order_form"] as? [[String: Any]])?.map { $0["name"] as? String } == ["copies", "format", "note"])
        #expect(((try await paris.get("/v1/catalog").items().first)?["order_form"] as? [Any])?.count == 3)

        let bad = try await api.central.post(
            "/v1/packages", #"{"label": "x", "type": "local", "campaign_name": "c", "campaign_folder": "/c", "order_form": [{"name": "n", "label": "N", "type": "choice"}, {"name": "Bad", "label": "B", "type": "text"}]}"#)
        #expect(bad.status == 422)
        let fields = (try bad.json()["problems"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
        #expect(fields == ["order_form.0.choices", "order_form.1.name"])

        let missing = try await paris.post("/v1/packages/\(package)/orders", #"{"label": "spring", "parameters": {"copies": 0, "colour": "red"}}"#)
        #expect(missing.status == 422)
        let problems = Dictionary(
            uniqueKeysWithValues: ((try missing.json()["problems"] as? [[String: Any]]) ?? []).compactMap { problem in
                (problem["field"] as? String).map { ($0, problem["message"] as? String ?? "") }
            })
        #expect(problems == [
            "parameters.copies": "must be at least 1", "parameters.format": "is required",
            "parameters.colour": "is not a field of the order form",
        ])
        #expect(try await paris.get("/v1/orders").items().isEmpty, "a refused order changes nothing")

        let placed = try await paris.post("/v1/packages/\(package)/orders", #"{"label": "spring", "parameters": {"copies": 500, "format": "A5"}}"#)
        #expect(placed.status == 201, "\(placed.text)")
        let order = try #require(try placed.string("id"))
        let edit = try await paris.patch("/v1/orders/\(order)", #"{"parameters": {"copies": 500, "format": "A3"}}"#)
        #expect(edit.status == 422 && edit.text.contains("parameters.format"))
        #expect(try await paris.patch("/v1/orders/\(order)", #"{"parameters": {"copies": 800, "format": "A4"}}"#).status == 200)

        // After publication the form changes only through a reinitialization.
        #expect(try await api.central.patch("/v1/packages/\(package)", #"{"order_form": []}"#).status == 409)
    }

    @Test func aLocalOperatorOrdersThroughItsFormAndSeesOnlyItsOwnRows() async throws {
        let (api, package, _) = try await Self.start()
        let marie = ConsoleVisitor(port: api.central.port, portal: true)
        #expect(try await marie.get("/portal/catalog").status == 303, "no session: sign in")
        #expect(try await marie.signIn("marie", Self.password).status == 303)
        let catalog = try await marie.get("/portal/catalog")
        #expect(catalog.status == 200 && catalog.text.contains("Flyers &lt;b&gt;spring&lt;/b&gt;"))
        let page = try await marie.get("/portal/packages/\(package)")
        #expect(page.text.contains(#"<label for="param-copies">Copies <span class="required">(required)</span></label>"#))
        #expect(page.text.contains(#"type="number""#) && page.text.contains(#"min="1""#) && page.text.contains(#"<option value="A5">A5</option>"#))
        #expect(page.text.contains(#"maxlength="20""#))

        // A required field left empty: the page again, the problem next to it, no order.
        let refused = try await marie.post(
            "/portal/packages/\(package)", [("label", "Spring flyers"), ("param-copies", "500"), ("param-format", ""), ("comment", "")])
        #expect(refused.status == 422)
        #expect(refused.text.contains(#"<span id="param-format-error" class="error" role="alert">is required</span>"#))
        #expect(refused.text.contains(#"value="500""#), "what was typed stays")
        #expect(try await api.central.get("/v1/orders").items().isEmpty)

        let placed = try await marie.post(
            "/portal/packages/\(package)", [("label", "Spring flyers"), ("param-copies", "500"), ("param-format", "A5"), ("param-note", "matte")])
        #expect(placed.status == 303)
        let location = try #require(placed.headers["location"])
        let orderID = String(location.dropFirst("/portal/orders/".count))
        let stored = try await api.central.get("/v1/orders/\(orderID)").json()
        #expect(stored["status"] as? String == "pending_approval")
        #expect((stored["parameters"] as? [String: Any])?["copies"] as? Int == 500)
        #expect(stored["created_by"] as? String == "entity:PAR-01/operator:marie")
        let orderPage = try await marie.get(location)
        #expect(orderPage.text.contains("Pending approval") && orderPage.text.contains(">Save</button>"))
        #expect(try await marie.get("/portal/orders").text.contains("Spring flyers"))

        // Edited until approved.
        let edited = try await marie.post(
            "\(location)/edit", [("label", "Spring flyers"), ("param-copies", "600"), ("param-format", "A5"), ("comment", "more")])
        #expect(edited.status == 303)
        #expect((try await api.central.get("/v1/orders/\(orderID)").json()["parameters"] as? [String: Any])?["copies"] as? Int == 600)

        // Another entity's operator: its catalogue is empty, every row of PAR-01 a 404.
        let luc = ConsoleVisitor(port: api.central.port, portal: true)
        try await luc.signIn("luc", Self.password)
        #expect(try await luc.get("/portal/catalog").text.contains("Nothing is offered to you now."))
        #expect(try await luc.get("/portal/packages/\(package)").status == 404)
        #expect(try await luc.get("/portal/orders/\(orderID)").status == 404)
        #expect(try await luc.post("/portal/orders/\(orderID)/cancel", [("comment", "mine now")]).status == 404)
        #expect(try await luc.post("/portal/packages/\(package)", [("label", "x"), ("param-copies", "1"), ("param-format", "A4")]).status == 404)
        #expect(!(try await luc.get("/portal/orders").text.contains("Spring flyers")))
        #expect(try await api.central.get("/v1/orders/\(orderID)").string("status") == "pending_approval")

        // The console is not for local operators, and the portal not for central ones.
        let console = ConsoleVisitor(port: api.central.port)
        let refusedConsole = try await console.signIn("marie", Self.password)
        #expect(refusedConsole.status == 403 && refusedConsole.text.contains("local operators sign in to the portal"))
        let viaCookie = try await HTTPTestClient(port: api.central.port).send(
            "GET", "/console/packages", body: nil, headers: ["Cookie": "campaignd_session=\(try #require(marie.session))"])
        #expect(viaCookie.status == 403, "a portal session is no console session")
        let central = ConsoleVisitor(port: api.central.port, portal: true)
        #expect(try await central.signIn("tester", Self.password).status == 403)
    }

    @Test func theInboxCountsWhatIsUnreadAndOpeningItAcknowledges() async throws {
        let (api, package, paris) = try await Self.start()
        let order = try #require(
            try await paris.post("/v1/packages/\(package)/orders", #"{"label": "o", "parameters": {"copies": 5, "format": "A4"}}"#).string("id"))
        let marie = ConsoleVisitor(port: api.central.port, portal: true)
        try await marie.signIn("marie", Self.password)
        // package_available came with the publication.
        let first = try await marie.get("/portal/orders")
        #expect(first.text.contains(#"<span id="unread">(1 unread)</span>"#), "\(first.text)")
        let after = try #require(first.text.firstMatch(of: /data-after="([0-9]+)"/).map { String($0.1) })

        #expect(try await api.approver.post("/v1/orders/\(order)/approve", #"{"comment": "go <now>"}"#).status == 200)
        // The live count's long poll reads what came after the page's newest row.
        let poll = try await marie.get("/portal/notifications/poll?after=\(after)&wait=5")
        #expect(poll.status == 200)
        #expect(try poll.items().map { $0["kind"] as? String } == ["order_approved"])
        #expect(try await marie.get("/portal/catalog").text.contains("(2 unread)"))

        let inbox = try await marie.get("/portal/notifications")
        #expect(inbox.text.contains("<strong>New:</strong> Approved:"))
        #expect(inbox.text.contains(#"<a href="/portal/orders/\#(order)">your order \#(order)</a> — go &lt;now&gt;"#))
        #expect(inbox.text.contains(#"<span id="unread"></span>"#), "what the inbox shows is read")
        #expect(!(try await marie.get("/portal/notifications").text.contains("<strong>New:</strong>")))
        #expect(try await paris.get("/v1/notifications").items().count == 2, "acknowledging hides nothing from the feed")

        // Cancelled with a comment; the head office reads it.
        let cancelled = try await marie.post("/portal/orders/\(order)/cancel", [("comment", "no budget")])
        #expect(cancelled.status == 303)
        let stored = try await api.central.get("/v1/orders/\(order)").json()
        #expect(stored["status"] as? String == "cancelled" && stored["cancel_comment"] as? String == "no budget")
        #expect(try await marie.post("/portal/orders/\(order)/cancel", [("comment", "again")]).status == 409)
        // A form without the session's CSRF token changes nothing.
        let second = try #require(
            try await paris.post("/v1/packages/\(package)/orders", #"{"label": "p", "parameters": {"copies": 5, "format": "A4"}}"#).string("id"))
        #expect(try await marie.post("/portal/orders/\(second)/cancel", [("comment", "x")], withCSRF: false).status == 403)
        #expect(try await api.central.get("/v1/orders/\(second)").string("status") == "pending_approval")
    }
}

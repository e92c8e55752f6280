import Foundation
import TestSupport
import Testing

/// Operators at scale (API.md, "Packages: second part", "Orders: second part", "CSV
/// exports"): audiences by tag frozen at publication, participation, duplication, bulk
/// order actions and CSV exports, through a real daemon.
@Suite(.databasePerTest) struct ScaleAPITests {
    static func collaborative(_ label: String = "Collab", audience: String = "[]", tags: String = "[]") -> String {
        #"{"label": "\#(label)", "type": "collaborative", "campaign_name": "c", "campaign_folder": "/c", "audience": \#(audience), "audience_tags": \#(tags)}"#
    }

    static func codes(_ response: HTTPTestResponse) throws -> [String] {
        try response.items().compactMap { $0["entity"] as? String }
    }

    @Test func anAudienceByTagIsFrozenWhenThePackageIsPublished() async throws {
        let api = try await APIHarness.start()
        var clients: [String: HTTPTestClient] = [:]
        for code in ["N-1", "N-2", "S-1", "N-3"] { clients[code] = try await api.entity(code) }
        for (code, tags) in [("N-1", #"["north"]"#), ("N-2", #"["north", "franchise"]"#), ("S-1", #"["south"]"#)] {
            #expect(try await api.central.patch("/v1/entities/\(code)", #"{"tags": \#(tags)}"#).status == 200)
        }
        // Listed S-1 and tagged north: three entities, not frozen yet.
        let created = try await api.central.post("/v1/packages", Self.collaborative(audience: #"["S-1"]"#, tags: #"["north", "North "]"#))
        #expect(created.status == 422, "tags are checked: \(created.text)")
        let id = try await api.package(Self.collaborative(audience: #"["S-1"]"#, tags: #"["north"]"#), upTo: "approved")
        let before = try await api.central.get("/v1/packages/\(id)").json()
        #expect(before["audience_tags"] as? [String] == ["north"])
        #expect(before["audience"] as? [String] == ["S-1"])
        #expect(before["audience_size"] as? Int == 3)
        #expect(before["audience_frozen"] as? Bool == false)

        #expect(try await api.approver.post("/v1/packages/\(id)/publish").status == 200)
        let published = try await api.central.get("/v1/packages/\(id)").json()
        #expect(published["audience_frozen"] as? Bool == true)
        #expect(published["audience_size"] as? Int == 3)

        // Tags change after publication: who was offered it does not.
        #expect(try await api.central.patch("/v1/entities/N-2", #"{"tags": []}"#).status == 200)
        #expect(try await api.central.patch("/v1/entities/N-3", #"{"tags": ["north"]}"#).status == 200)
        for code in ["N-1", "N-2", "S-1"] {
            let catalog = try await clients[code]!.get("/v1/catalog")
            #expect(try catalog.items().map { $0["id"] as? String } == [id], "\(code) was offered it")
        }
        #expect(try await clients["N-3"]!.get("/v1/catalog").items().isEmpty)
        let late = try await clients["N-3"]!.post("/v1/packages/\(id)/orders", #"{"label": "late"}"#)
        #expect(late.status == 404, "outside its catalogue the package does not exist for it: \(late.text)")
        #expect(try await clients["N-2"]!.post("/v1/packages/\(id)/orders", #"{"label": "mine"}"#).status == 201)

        // The cancel fans out over exactly who was offered it.
        let cancel = try await api.approver.post("/v1/packages/\(id)/cancel", #"{"comment": "recalled"}"#)
        let job = try #require(try cancel.string("job.id"))
        #expect(try await api.finishedJob(job).string("status") == "succeeded")
        let connection = try await api.connect()
        defer { connection.close() }
        let told = try await connection.query(
            """
            SELECT e.code FROM local.notifications n JOIN central.entities e ON e.id = n.entity_id
            WHERE n.kind = 'package_cancelled' ORDER BY e.code
            """)
        #expect(try told.map { try $0.decode(String.self, "code") } == ["N-1", "N-2", "S-1"])
    }

    @Test func participationListsWhoHasNotOrderedWithCountsAndPages() async throws {
        let api = try await APIHarness.start()
        var clients: [HTTPTestClient] = []
        for code in ["A-1", "A-2", "A-3", "A-4"] { clients.append(try await api.entity(code)) }
        let id = try await api.package(Self.collaborative(audience: #"["A-1", "A-2", "A-3"]"#))
        let first = try await clients[0].post("/v1/packages/\(id)/orders", #"{"label": "a1"}"#)
        _ = try await clients[1].post("/v1/packages/\(id)/orders", #"{"label": "a2"}"#)
        let firstID = try #require(try first.string("id"))
        #expect(try await api.approver.post("/v1/orders/\(firstID)/approve").status == 200)

        let all = try await api.central.get("/v1/packages/\(id)/participation")
        #expect(all.status == 200, "\(all.text)")
        #expect(try Self.codes(all) == ["A-1", "A-2", "A-3"])
        #expect(try all.items().map { $0["status"] as? String } == ["approved", "pending_approval", "no_response"])
        #expect(try all.items()[2]["order_id"] is NSNull)
        let counts = try all.json()["counts"] as? [String: Int]
        #expect(counts?["no_response"] == 1 && counts?["approved"] == 1 && counts?["pending_approval"] == 1)
        #expect(counts?["cancelled"] == 0)

        let silent = try await api.central.get("/v1/packages/\(id)/participation?status=no_response")
        #expect(try Self.codes(silent) == ["A-3"])
        #expect((try silent.json()["counts"] as? [String: Int])?["approved"] == 1, "counts cover every line")

        // Pages of one line, each starting after the previous one's cursor.
        var seen: [String] = []
        var cursor: String? = nil
        repeat {
            let query = cursor.map { "&cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? $0)" } ?? ""
            let page = try await api.central.get("/v1/packages/\(id)/participation?limit=1\(query)")
            #expect(page.status == 200, "\(page.text)")
            seen += try Self.codes(page)
            cursor = try page.string("next_cursor")
        } while cursor != nil && seen.count < 10
        #expect(seen == ["A-1", "A-2", "A-3"])

        // Some statuses only (gathered, then sorted): pages of one line too.
        var chosen: [String] = []
        cursor = nil
        repeat {
            let query = cursor.map { "&cursor=\($0)" } ?? ""
            let page = try await api.central.get("/v1/packages/\(id)/participation?status=no_response,approved&limit=1\(query)")
            chosen += try page.items().map { "\($0["entity"] as? String ?? "?"):\($0["status"] as? String ?? "?")" }
            cursor = try page.string("next_cursor")
        } while cursor != nil && chosen.count < 10
        #expect(chosen == ["A-1:approved", "A-3:no_response"])
        // Order statuses only.
        let decided = try await api.central.get("/v1/packages/\(id)/participation?status=approved,pending_approval")
        #expect(decided.status == 200, "\(decided.text)")
        #expect(try Self.codes(decided) == ["A-1", "A-2"])
        let decidedCSV = try await api.central.get("/v1/packages/\(id)/participation?status=pending_approval&format=csv")
        #expect(decidedCSV.text.hasPrefix("entity,status,order_id\r\nA-2,pending_approval,"))

        #expect(try await api.central.get("/v1/packages/\(id)/participation?status=nobody").status == 422)
        #expect(try await api.central.get("/v1/packages/\(id)/participation?cursor=nonsense").status == 422)
        #expect(try await api.central.get("/v1/packages/999999/participation").status == 404)
        #expect(try await clients[0].get("/v1/packages/\(id)/participation").status == 403)

        let csv = try await api.central.get("/v1/packages/\(id)/participation?format=csv")
        #expect(csv.status == 200)
        #expect(csv.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(csv.text == "entity,status,order_id\r\nA-1,approved,\(firstID)\r\nA-2,pending_approval,\(try #require(Int(firstID)) + 1)\r\nA-3,no_response,\r\n")
    }

    @Test func duplicatingAPackageCopiesItsFieldsButNotItsOrders() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        _ = try await api.entity("LYO-01")
        let id = try await api.package(
            #"{"label": "Flyers", "type": "local", "campaign_name": "flyers", "campaign_folder": "/f", "audience": ["PAR-01", "LYO-01"], "audience_tags": ["north"], "description": "Spring flyers", "settings": {"paper": "A5"}, "order_deadline": "2030-01-01T00:00:00Z"}"#)
        _ = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "500"}"#)

        let copy = try await api.central.post("/v1/packages/\(id)/duplicate", "{}")
        #expect(copy.status == 201, "\(copy.text)")
        let fields = try copy.json()
        let copyID = try #require(fields["id"] as? String)
        #expect(copyID != id)
        #expect(fields["label"] as? String == "Flyers (copy)")
        #expect(fields["status"] as? String == "being_edited")
        #expect(fields["revision"] as? Int == 1)
        #expect(fields["audience"] as? [String] == ["LYO-01", "PAR-01"])
        #expect(fields["audience_tags"] as? [String] == ["north"])
        #expect(fields["description"] as? String == "Spring flyers")
        #expect((fields["settings"] as? [String: String]) == ["paper": "A5"])
        #expect(fields["order_deadline"] as? String == "2030-01-01T00:00:00.000Z")
        #expect((fields["orders_by_entity"] as? [Any])?.isEmpty == true)

        let named = try await api.central.post("/v1/packages/\(id)/duplicate", #"{"label": "Autumn flyers"}"#)
        #expect(try named.string("label") == "Autumn flyers")
        #expect(try await api.central.post("/v1/packages/\(id)/duplicate", #"{"label": " "}"#).status == 422)
        #expect(try await api.central.post("/v1/packages/999999/duplicate", "{}").status == 404)
        let viewer = try await api.operatorClient("vera", role: .viewer)
        #expect(try await viewer.post("/v1/packages/\(id)/duplicate", "{}").status == 403)

        let originalJournal = try await api.central.get("/v1/packages/\(id)/journal?limit=500").items()
        let duplicated = originalJournal.filter { $0["action"] as? String == "duplicate" }
        #expect(duplicated.count == 2)
        #expect((duplicated.first?["after"] as? [String: Any])?["package_id"] as? String == copyID)
        let copyJournal = try await api.central.get("/v1/packages/\(copyID)/journal").items()
        #expect(copyJournal.map { $0["action"] as? String } == ["create"])
        #expect((copyJournal.first?["after"] as? [String: Any])?["duplicate_of"] as? String == id)
    }

    @Test func bulkOrderActionsChangeEachAllowedOrderOnceAndReportTheRest() async throws {
        let api = try await APIHarness.start()
        var clients: [HTTPTestClient] = []
        for index in 1...4 { clients.append(try await api.entity("B-\(index)")) }
        let id = try await api.package(
            #"{"label": "Flyers", "type": "local", "campaign_name": "flyers", "campaign_folder": "/f"}"#)
        var orderIDs: [String] = []
        for client in clients {
            orderIDs.append(try #require(try await client.post("/v1/packages/\(id)/orders", #"{"label": "o"}"#).string("id")))
        }
        #expect(try await api.approver.post("/v1/orders/\(orderIDs[3])/reject").status == 200)

        // Refused before any job: bad input, or a role below approver.
        for body in [
            #"{"action": "approve"}"#, #"{"action": "approve", "ids": []}"#,
            #"{"action": "approve", "ids": ["1"], "filter": {"package": "1"}}"#, #"{"action": "approve", "filter": {}}"#,
            #"{"action": "edit", "ids": ["1"]}"#, #"{"action": "approve", "filter": {"entity": "NOPE"}}"#,
            #"{"action": "approve", "filter": {"package": "999999"}}"#, #"{"ids": ["1"]}"#,
        ] {
            let refused = try await api.approver.post("/v1/orders/bulk", body)
            #expect(refused.status == 422, "\(body): \(refused.text)")
        }
        // The bulk path is a resource of its own: not an order called "bulk".
        for method in ["GET", "PATCH", "DELETE"] {
            let other = try await api.approver.send(method, "/v1/orders/bulk", body: method == "PATCH" ? Data("{}".utf8) : nil)
            #expect(other.status == 405 && other.headers["allow"] == "POST", "\(method): \(other.text)")
        }
        let editor = try await api.operatorClient("eddie", role: .editor)
        #expect(try await editor.post("/v1/orders/bulk", #"{"action": "approve", "ids": ["\#(orderIDs[0])"]}"#).status == 403)
        #expect(try await clients[0].post("/v1/orders/bulk", #"{"action": "approve", "ids": ["\#(orderIDs[0])"]}"#).status == 403)

        let body = #"{"action": "approve", "ids": ["\#(orderIDs[0])", "\#(orderIDs[1])", \#(orderIDs[3]), "999999"], "comment": "all good"}"#
        let accepted = try await api.approver.post("/v1/orders/bulk", body)
        #expect(accepted.status == 202, "\(accepted.text)")
        #expect(try accepted.string("job.kind") == "bulk_orders")
        let job = try await api.finishedJob(try #require(try accepted.string("job.id")))
        #expect(try job.string("status") == "succeeded")
        let result = try #require(try job.json()["result"] as? [String: Any])
        #expect(result["changed"] as? Int == 2)
        let skipped = try #require(result["skipped"] as? [[String: Any]])
        #expect(skipped.map { $0["order_id"] as? String } == [orderIDs[3], "999999"])
        #expect(skipped.first?["reason"] as? String == "a rejected order cannot be approved")
        #expect(skipped.last?["reason"] as? String == "no such order")

        // The same request again: nothing more changes.
        let replay = try await api.approver.post("/v1/orders/bulk", body)
        let again = try await api.finishedJob(try #require(try replay.string("job.id")))
        #expect((try again.json()["result"] as? [String: Any])?["changed"] as? Int == 0)

        // By filter: every pending order of the package (one is left) is cancelled.
        let byFilter = try await api.approver.post(
            "/v1/orders/bulk", #"{"action": "cancel", "filter": {"package": "\#(id)", "status": ["pending_approval"]}, "comment": "closed"}"#)
        let cancelled = try await api.finishedJob(try #require(try byFilter.string("job.id")))
        #expect((try cancelled.json()["result"] as? [String: Any])?["changed"] as? Int == 1)
        #expect(try await api.central.get("/v1/orders/\(orderIDs[2])").string("status") == "cancelled")
        #expect(try await api.central.get("/v1/orders/\(orderIDs[2])").string("cancel_reason") == "cancelled_by_central")

        let connection = try await api.connect()
        defer { connection.close() }
        let notes = try await connection.query(
            "SELECT kind, count(*) AS n FROM local.notifications WHERE order_id IS NOT NULL GROUP BY kind ORDER BY kind")
        #expect(try notes.map { "\(try $0.decode(String.self, "kind")):\(try $0.decode(Int.self, "n"))" }
            == ["order_approved:2", "order_cancelled:1", "order_rejected:1"])
        let journal = try await connection.query(
            "SELECT action, count(*) AS n FROM central.audit_journal WHERE subject = 'order' AND action <> 'create' GROUP BY action ORDER BY action")
        #expect(try journal.map { "\(try $0.decode(String.self, "action")):\(try $0.decode(Int.self, "n"))" }
            == ["approve:2", "cancel:1", "reject:1"])
        #expect(try await connection.query("SELECT count(*) AS n FROM local.local_campaigns")[0].decode(Int.self, "n") == 2)
    }

    @Test func listsExportAsStreamedCSVWithFormulasDefused() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let id = try await api.package(
            #"{"label": "=HYPERLINK(\"x\"), \"quoted\"", "type": "local", "campaign_name": "c, with comma", "campaign_folder": "/f"}"#)
        _ = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "+1 line\nbreak", "comment": "@home"}"#)
        _ = try await lyon.post("/v1/packages/\(id)/orders", #"{"label": "lyon"}"#)

        let packages = try await api.central.get("/v1/packages", headers: ["Accept": "text/csv"])
        #expect(packages.status == 200)
        #expect(packages.headers["content-disposition"] == #"attachment; filename="packages.csv""#)
        let lines = packages.text.components(separatedBy: "\r\n")
        #expect(lines.first?.hasPrefix("id,label,type,status,revision,campaign_name,campaign_folder,late,unavailable,") == true)
        #expect(lines.first?.hasSuffix(",orders_pending_approval,orders_approved,orders_rejected,orders_cancelled") == true)
        #expect(lines.count == 3 && lines[2] == "", "a header, one row, a final CRLF: \(packages.text)")
        #expect(lines[1].hasPrefix(#"\#(id),"'=HYPERLINK(""x""), ""quoted""",local,published,1,"c, with comma",/f,false,false,"#))
        #expect(lines[1].hasSuffix(",2,0,0,0"))

        let orders = try await api.central.get("/v1/orders?format=csv&package=\(id)")
        #expect(orders.text.hasPrefix("id,package_id,revision,entity,label,status,comment,parameters,"))
        #expect(orders.text.contains(#",PAR-01,"'+1 line"#))
        #expect(orders.text.contains("break\",pending_approval,'@home,{},"))
        #expect(orders.text.components(separatedBy: "\r\n").count == 4)

        // A local entity exports its own orders only, whatever it asks for.
        let own = try await paris.get("/v1/orders?format=csv&entity=LYO-01")
        #expect(own.text.components(separatedBy: "\r\n").count == 2, "the header alone: \(own.text)")
        let mine = try await paris.get("/v1/orders?format=csv")
        #expect(mine.text.contains("PAR-01") && !mine.text.contains("LYO-01"))
        #expect(try await paris.get("/v1/packages?format=csv").status == 403)

        let journal = try await api.central.get("/v1/packages/\(id)/journal?format=csv")
        let entries = journal.text.components(separatedBy: "\r\n").dropFirst().filter { !$0.isEmpty }
        #expect(journal.text.hasPrefix("id,at,actor,action,subject,subject_id,entity,comment,before,after\r\n"))
        #expect(entries.count >= 4, "create, submit, approve, publish: \(journal.text)")
        #expect(try await api.central.get("/v1/packages/999999/journal?format=csv").status == 404)
    }
}

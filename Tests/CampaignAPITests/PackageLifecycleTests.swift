import Foundation
import TestSupport
import Testing

@Suite(.databasePerTest) struct PackageLifecycleTests {
    static let collaborative =
        #"{"label": "Summer", "type": "collaborative", "campaign_name": "summer", "campaign_folder": "/s", "audience": ["PAR-01", "LYO-01"]}"#

    @Test func createSubmitApprovePublish() async throws {
        let api = try await APIHarness.start()
        _ = try await api.entity("PAR-01")
        _ = try await api.entity("LYO-01")
        let created = try await api.central.post("/v1/packages", Self.collaborative)
        #expect(created.status == 201)
        #expect(try created.string("status") == "being_edited")
        #expect(try created.json()["revision"] as? Int == 1)
        #expect(try created.json()["audience"] as? [String] == ["LYO-01", "PAR-01"])
        let id = try #require(try created.string("id"))
        for (action, status) in [("submit", "pending_approval"), ("approve", "approved"), ("publish", "published")] {
            let client = action == "submit" ? api.central : api.approver
            let answer = try await client.post("/v1/packages/\(id)/\(action)", #"{"comment": "step \#(action)"}"#)
            #expect(answer.status == 200, "\(answer.text)")
            #expect(try answer.string("status") == status)
        }
        // Publishing told every entity of the audience, once each.
        let connection = try await api.connect()
        defer { connection.close() }
        let notified = try await connection.query(
            "SELECT count(*) AS n FROM local.notifications WHERE kind = 'package_available' AND package_id = \(Int(id) ?? 0)")
        #expect(try notified[0].decode(Int.self, "n") == 2)
    }

    @Test func refusedTransitionsAnswer409AndChangeNothing() async throws {
        let api = try await APIHarness.start()
        let id = try await api.package(upTo: "being_edited")
        let before = try await api.central.get("/v1/packages/\(id)")
        for action in ["approve", "reject", "publish", "reinitialize"] {
            let answer = try await api.central.post("/v1/packages/\(id)/\(action)", #"{"comment": "x"}"#)
            #expect(answer.status == 409, "\(action)")
            #expect(try answer.string("code") == "invalid_transition")
            #expect(try answer.string("current_status") == "being_edited")
        }
        let after = try await api.central.get("/v1/packages/\(id)")
        #expect(before.text == after.text)
        // A published package cannot be edited or submitted.
        let published = try await api.package()
        #expect(try await api.central.patch("/v1/packages/\(published)", #"{"label": "new"}"#).status == 409)
        #expect(try await api.central.post("/v1/packages/\(published)/submit").status == 409)
    }

    @Test func collaborativePackageNeedsAnAudienceToBeSubmitted() async throws {
        let api = try await APIHarness.start()
        let created = try await api.central.post(
            "/v1/packages", #"{"label": "C", "type": "collaborative", "campaign_name": "c", "campaign_folder": "/c", "audience": []}"#)
        let id = try #require(try created.string("id"))
        let refused = try await api.central.post("/v1/packages/\(id)/submit")
        #expect(refused.status == 409)
        #expect(try refused.string("detail")?.contains("audience") == true)
        // With the whole network as audience (null), it goes.
        #expect(try await api.central.patch("/v1/packages/\(id)", #"{"audience": null}"#).status == 200)
        #expect(try await api.central.post("/v1/packages/\(id)/submit").status == 200)
    }

    @Test func rejectedPackageReturnsToEditingWhenEdited() async throws {
        let api = try await APIHarness.start()
        let id = try await api.package(upTo: "pending_approval")
        let rejected = try await api.approver.post("/v1/packages/\(id)/reject", #"{"comment": "wrong folder"}"#)
        #expect(try rejected.string("status") == "rejected")
        let edited = try await api.central.patch("/v1/packages/\(id)", #"{"campaign_folder": "/right"}"#)
        #expect(edited.status == 200)
        #expect(try edited.string("status") == "being_edited")
        #expect(try edited.string("campaign_folder") == "/right")
    }

    @Test func patchHonoursIfMatch() async throws {
        let api = try await APIHarness.start()
        let id = try await api.package(upTo: "being_edited")
        let current = try await api.central.get("/v1/packages/\(id)")
        let etag = try #require(current.headers["etag"])
        let ok = try await api.central.patch("/v1/packages/\(id)", #"{"label": "First"}"#, headers: ["If-Match": etag])
        #expect(ok.status == 200)
        #expect(ok.headers["etag"] != etag)
        let stale = try await api.central.patch("/v1/packages/\(id)", #"{"label": "Second"}"#, headers: ["If-Match": etag])
        #expect(stale.status == 412)
        #expect(try stale.string("code") == "precondition_failed")
        #expect(try await api.central.get("/v1/packages/\(id)").string("label") == "First")
    }

    @Test func invalidInputIsRefusedWithEveryProblem() async throws {
        let api = try await APIHarness.start()
        let malformed = try await api.central.post("/v1/packages", #"{"label": "#)
        #expect(malformed.status == 400)
        #expect(try malformed.string("code") == "malformed_json")
        let wrong = try await api.central.post(
            "/v1/packages",
            #"{"label": 3, "type": "huge", "campaign_name": "n", "campaign_folder": "f", "visible_from": "tomorrow", "colour": "red"}"#)
        #expect(wrong.status == 422)
        let fields = try (wrong.json()["problems"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(Set(fields) == ["label", "type", "visible_from", "colour"])
        let dates = try await api.central.post(
            "/v1/packages",
            #"{"label": "L", "type": "local", "campaign_name": "n", "campaign_folder": "f", "visible_from": "2027-02-01T00:00:00Z", "visible_until": "2027-01-01T00:00:00Z"}"#)
        #expect(dates.status == 422)
        let long = try await api.central.post(
            "/v1/packages",
            #"{"label": "\#(String(repeating: "x", count: 201))", "type": "local", "campaign_name": "n", "campaign_folder": "f"}"#)
        #expect(long.status == 422)
        let unknownAudience = try await api.central.post(
            "/v1/packages", #"{"label": "L", "type": "local", "campaign_name": "n", "campaign_folder": "f", "audience": ["GHOST"]}"#)
        #expect(unknownAudience.status == 422)
        #expect(try await api.central.get("/v1/packages").items().isEmpty)
        #expect(try await api.central.get("/v1/packages/999999").status == 404)
        #expect(try await api.central.get("/v1/packages/abc").status == 404)
    }

    @Test func cancelAndReinitializeAreAcceptedAsJobs() async throws {
        // No workers: the accepted job stays queued, so the acceptance itself is observed.
        let api = try await APIHarness.start(["--workers", "0"])
        let id = try await api.package()
        let needsComment = try await api.central.post("/v1/packages/\(id)/cancel", "{}")
        #expect(needsComment.status == 422)
        let accepted = try await api.central.post("/v1/packages/\(id)/cancel", #"{"comment": "recalled"}"#)
        #expect(accepted.status == 202)
        let jobID = try #require(try accepted.string("job.id"))
        #expect(try accepted.string("job.kind") == "cancel_package")
        #expect(try accepted.string("job.status") == "queued")
        // A double click gets the same job.
        let again = try await api.central.post("/v1/packages/\(id)/cancel", #"{"comment": "recalled"}"#)
        #expect(again.status == 202)
        #expect(try again.string("job.id") == jobID)
        // Other actions wait for it.
        let busy = try await api.central.post("/v1/packages/\(id)/reinitialize")
        #expect(busy.status == 409)
        #expect(try busy.string("code") == "job_pending")
        let job = try await api.central.get("/v1/jobs/\(jobID)")
        #expect(job.status == 200)
        #expect(try job.string("package_id") == id)
        let detail = try await api.central.get("/v1/packages/\(id)")
        #expect(try detail.string("pending_job_id") == jobID)
    }

    @Test func journalRecordsEveryChangeAndCannotBeRewritten() async throws {
        let api = try await APIHarness.start()
        let id = try await api.package()
        let journal = try await api.central.get("/v1/packages/\(id)/journal")
        let items = try journal.items()
        #expect(items.map { $0["action"] as? String } == ["create", "submit", "approve", "publish"])
        let approve = try #require(items.first { $0["action"] as? String == "approve" })
        #expect((approve["before"] as? [String: Any])?["status"] as? String == "pending_approval")
        #expect((approve["after"] as? [String: Any])?["status"] as? String == "approved")
        #expect(approve["actor"] as? String == "operator:checker")

        let connection = try await api.connect()
        defer { connection.close() }
        for statement in ["UPDATE central.audit_journal SET comment = 'forged'", "DELETE FROM central.audit_journal",
                          "TRUNCATE central.audit_journal"] {
            let error = try await #require(throws: (any Error).self) {
                try await connection.execute(unsafeSQL: statement)
            }
            #expect("\(error)".contains("append-only"))
        }
    }
}

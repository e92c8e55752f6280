import Foundation
import TestSupport
import Testing

/// Cancel, reinitialize and scheduled publication through the API, with the daemon's workers.
@Suite(.databasePerTest) struct JobAPITests {
    func waitForJob(_ api: APIHarness, _ id: String) async throws -> HTTPTestResponse {
        try await api.finishedJob(id)
    }

    @Test func cancellingACollaborativePackageEndToEnd() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        _ = try await api.entity("NCE-01")
        let id = try await api.package(
            #"{"label": "Collab", "type": "collaborative", "campaign_name": "c", "campaign_folder": "/c", "audience": ["PAR-01", "LYO-01"]}"#)
        _ = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "p"}"#)
        _ = try await lyon.post("/v1/packages/\(id)/orders", #"{"label": "l"}"#)
        let process = try await api.central.post("/v1/packages/\(id)/processes", #"{"kind": "delivery", "name": "email blast"}"#)
        #expect(process.status == 201)
        #expect(try process.string("status") == "running")
        let processID = try #require(try process.string("id"))
        let detail = try await api.central.get("/v1/packages/\(id)")
        let reference = try detail.json()["reference_campaign"] as? [String: Any]
        #expect(reference?["status"] as? String == "running")
        #expect((reference?["processes"] as? [[String: Any]])?.first?["name"] as? String == "email blast")

        let accepted = try await api.central.post("/v1/packages/\(id)/cancel", #"{"comment": "legal asked"}"#)
        #expect(accepted.status == 202)
        let job = try await waitForJob(api, try #require(try accepted.string("job.id")))
        #expect(try job.string("status") == "succeeded")
        #expect(try job.string("started_at") != nil)
        #expect(try job.string("finished_at") != nil)

        let cancelled = try await api.central.get("/v1/packages/\(id)")
        #expect(try cancelled.string("status") == "cancelled")
        let last = try cancelled.json()["last_action"] as? [String: Any]
        #expect(last?["action"] as? String == "cancel")
        #expect(last?["comment"] as? String == "legal asked")
        #expect(last?["by"] as? String == "operator:tester")
        let stopped = try cancelled.json()["reference_campaign"] as? [String: Any]
        #expect(stopped?["status"] as? String == "cancelled")
        #expect((stopped?["processes"] as? [[String: Any]])?.first?["status"] as? String == "stopped")
        #expect((try cancelled.json()["order_counts"] as? [String: Int]) == ["cancelled": 2])
        // A stopped process cannot be resumed.
        #expect(try await api.central.patch("/v1/processes/\(processID)", #"{"status": "running"}"#).status == 409)
        // Cancelled is final for cancel; the package stays visible to the central entity.
        #expect(try await api.central.post("/v1/packages/\(id)/cancel", #"{"comment": "again"}"#).status == 409)
        #expect(try await api.central.get("/v1/packages?status=cancelled").items().count == 1)

        let connection = try await api.connect()
        defer { connection.close() }
        let notified = try await connection.query(
            """
            SELECT e.code FROM local.notifications n JOIN central.entities e ON e.id = n.entity_id
            WHERE n.kind = 'package_cancelled' ORDER BY e.code
            """)
        #expect(try notified.map { try $0.decode(String.self, "code") } == ["LYO-01", "PAR-01"])
    }

    @Test func reinitializeThenEditApprovePublishAgain() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let id = try await api.package()
        let order = try #require(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "p"}"#).string("id"))
        let accepted = try await api.central.post("/v1/packages/\(id)/reinitialize", #"{"comment": "v2"}"#)
        #expect(accepted.status == 202)
        _ = try await waitForJob(api, try #require(try accepted.string("job.id")))
        let package = try await api.central.get("/v1/packages/\(id)")
        #expect(try package.string("status") == "being_edited")
        #expect(try package.json()["revision"] as? Int == 2)
        let old = try await paris.get("/v1/orders/\(order)")
        #expect(try old.string("status") == "cancelled")
        #expect(try old.string("cancel_reason") == "package_reinitialized")
        #expect(try await api.central.patch("/v1/packages/\(id)", #"{"label": "Spring v2"}"#).status == 200)
        for action in ["submit", "approve", "publish"] {
            #expect(try await (action == "submit" ? api.central : api.approver).post("/v1/packages/\(id)/\(action)").status == 200)
        }
        let again = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "p2"}"#)
        #expect(again.status == 201)
        #expect(try again.json()["revision"] as? Int == 2)
    }

    @Test func anApprovedPackageIsPublishedWhenItsAvailableDateComes() async throws {
        let api = try await APIHarness.start(["--job-poll-interval", "0.2"])
        _ = try await api.entity("PAR-01")
        let available = Date().addingTimeInterval(2)
        let id = try await api.package(
            #"{"label": "Timed", "type": "local", "campaign_name": "t", "campaign_folder": "/t", "available_at": "\#(RFC3339Text.string(available))"}"#,
            upTo: "approved")
        let deadline = ContinuousClock.now + .seconds(20)
        var status: String?
        while ContinuousClock.now < deadline {
            status = try await api.central.get("/v1/packages/\(id)").string("status")
            if status == "published" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(status == "published")
        // Published by the scheduler, not before its date.
        let publication = try #require(
            try await api.central.get("/v1/packages/\(id)/journal").items().first { $0["action"] as? String == "publish" })
        #expect(publication["actor"] as? String == "system:scheduler")
        let at = try #require(RFC3339Text.date(publication["at"] as? String ?? ""))
        #expect(at >= available.addingTimeInterval(-0.001))
    }

    @Test func jobsAreListedAndOnlyFailedOnesRetried() async throws {
        let api = try await APIHarness.start(["--workers", "0"])
        let id = try await api.package()
        let job = try #require(try await api.central.post("/v1/packages/\(id)/cancel", #"{"comment": "x"}"#).string("job.id"))
        #expect(try await api.central.get("/v1/jobs?status=queued").items().map { $0["id"] as? String } == [job])
        #expect(try await api.central.get("/v1/jobs?status=failed").items().isEmpty)
        #expect(try await api.central.get("/v1/jobs?status=lost").status == 422)
        let refused = try await api.central.post("/v1/jobs/\(job)/retry")
        #expect(refused.status == 409)
        #expect(try await api.central.post("/v1/jobs/999999/retry").status == 404)
        let local = try await api.entity("PAR-01")
        #expect(try await local.get("/v1/jobs/\(job)").status == 403)
    }
}

/// RFC 3339 text for request bodies.
enum RFC3339Text {
    static func formatter() -> ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }

    static func string(_ date: Date) -> String { formatter().string(from: date) }
    static func date(_ text: String) -> Date? { formatter().date(from: text) }
}

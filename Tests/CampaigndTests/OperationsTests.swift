import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.databasePerTest) struct OperationsTests {

    @Test func metricsDescribeRequestsPoolJobsAndNotifications() async throws {
        let api = try await APIHarness.start()
        _ = try await api.entity("PAR-01")
        let id = try await api.package(
            #"{"label": "C", "type": "collaborative", "campaign_name": "c", "campaign_folder": "/c"}"#)
        let job = try #require(try await api.central.post("/v1/packages/\(id)/cancel", #"{"comment": "x"}"#).string("job.id"))
        try await waitUntil("the job") { try await api.central.get("/v1/jobs/\(job)").string("status") == "succeeded" }

        var anonymous = api.central
        anonymous.token = nil
        let metrics = try await anonymous.get("/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
        let text = metrics.text
        for expected in [
            #"campaignd_pool_connections{state="idle"}"#, "campaignd_pool_waiting_requests", "campaignd_jobs_queued 0",
            "campaignd_jobs_oldest_queued_age_seconds", "campaignd_long_poll_waiters 0",
            #"campaignd_jobs_finished_total{kind="cancel_package",outcome="succeeded"} 1"#,
            #"campaignd_job_attempts_total{kind="cancel_package"} 1"#,
            #"campaignd_job_duration_seconds_count{kind="cancel_package"} 1"#,
            #"campaignd_notifications_written_total{kind="package_available"} 1"#,
            #"campaignd_notifications_written_total{kind="package_cancelled"} 1"#,
        ] {
            #expect(text.contains(expected), "\(expected)")
        }
        // Requests by route (the route's pattern, not the URL), method and status.
        #expect(text.contains("/v1/packages/{id}/cancel"))
        #expect(text.contains(#"http_response_status_code="202""#))
    }

    @Test func requestIdsAndJSONLogsWithoutSecrets() async throws {
        let api = try await APIHarness.start(["--log-format", "json"])
        let given = try await api.central.get("/v1/packages", headers: ["X-Request-Id": "trace-42"])
        #expect(given.headers["x-request-id"] == "trace-42")
        let generated = try await api.central.get("/v1/packages")
        let id = try #require(generated.headers["x-request-id"])
        #expect(UUID(uuidString: id) != nil)
        // An id that is not plain text is replaced, not logged.
        let odd = try await api.central.get("/v1/packages", headers: ["X-Request-Id": "a b\"c"])
        #expect(odd.headers["x-request-id"] != "a b\"c")

        // Access lines wait up to 0.1 s before they are written (LogOutput).
        try await waitUntil("the access line of the request with its own id") {
            api.daemon.log.contains(#""request_id":"trace-42""#)
        }
        let lines = api.daemon.log.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["message"] != nil, "\(line)")
            #expect(object?["level"] != nil)
        }
        let access = lines.filter { $0.contains(#""request_id":"trace-42""#) }
        #expect(access.contains { $0.contains(#""route":"/v1/packages""#) && $0.contains(#""status":"200""#) })
        let token = try #require(api.central.token)
        #expect(!api.daemon.log.contains(token))
        #expect(!api.daemon.log.contains(String(token.suffix(64))))
    }

    /// SIGTERM in the middle of work: the long poll answers empty at once, the job in hand
    /// finishes and commits, the process exits 0, nothing is lost.
    @Test func sigtermDrainsLongPollsAndTheJobInHand() async throws {
        let api = try await APIHarness.start(
            ["--job-poll-interval", "0.2"],
            environment: DaemonProcess.environment(["CAMPAIGND_FAILPOINTS": "job.before_commit=pause:2"]))
        let paris = try await api.entity("PAR-01")
        let id = try await api.package()
        let after = try #require(try await paris.get("/v1/notifications").json()["next_cursor"] as? Int)
        let poll = Task { try await paris.get("/v1/notifications?after=\(after)&wait=60") }
        let job = try #require(try await api.central.post("/v1/packages/\(id)/cancel", #"{"comment": "x"}"#).string("job.id"))
        try await waitUntil("the job to be claimed") {
            try await api.central.get("/v1/jobs/\(job)").string("status") == "running"
        }
        let signalled = ContinuousClock.now
        let status = try await api.daemon.stop(signal: SIGTERM)
        #expect(status == 0, "\(api.daemon.log)")
        let answer = try await poll.value
        #expect(answer.status == 200)
        #expect(try answer.items().isEmpty)
        #expect(ContinuousClock.now - signalled < .seconds(20))

        let connection = try await api.connect()
        defer { connection.close() }
        let row = try await connection.query("SELECT status, attempts FROM central.jobs WHERE id = \(Int(job) ?? 0)")[0]
        #expect(try row.decode(String.self, "status") == "succeeded")
        #expect(try row.decode(Int.self, "attempts") == 1)
        let package = try await connection.query("SELECT status FROM central.packages WHERE id = \(Int(id) ?? 0)")[0]
        #expect(try package.decode(String.self, "status") == "cancelled")
    }
}

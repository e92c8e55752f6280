import Foundation
import TestSupport
import Testing

/// Central events, webhooks and deadline reminders (API.md, "Deadlines and reminders",
/// "Central events", "Webhooks"), through a real daemon and a real receiver.
@Suite(.databasePerTest) struct WebhookTests {
    static func created(_ response: HTTPTestResponse) throws -> (id: String, secret: String) {
        guard response.status == 201, let id = try response.string("id"), let secret = try response.string("secret") else {
            throw HTTPTestClient.Failure(description: "webhook: \(response.status) \(response.text)")
        }
        return (id, secret)
    }

    @Test func deliveriesAreSignedInCursorOrderRetriedAndRedeliverable() async throws {
        let api = try await APIHarness.start([
            "--webhook-allow-private", "--job-backoff", "0.2", "--job-poll-interval", "0.2", "--webhook-retry-window", "4",
        ])
        let receiver = try await WebhookReceiver.start()
        let entity = try await api.entity("W-1")
        let other = try await api.entity("W-2")
        // W-1's notifications fail twice each before they are taken; W-2's receiver is down.
        let local = try Self.created(try await entity.post("/v1/webhooks", #"{"url": "\#(receiver.url("fail-2"))"}"#))
        try await receiver.trust("fail-2", secret: local.secret)
        let down = try Self.created(try await other.post("/v1/webhooks", #"{"url": "\#(receiver.url("down"))"}"#))
        let central = try Self.created(
            try await api.central.post("/v1/webhooks", #"{"url": "\#(receiver.url("ok"))", "kinds": ["order_placed", "webhook_disabled"]}"#))
        try await receiver.trust("ok", secret: central.secret)
        #expect(try await other.get("/v1/webhooks/\(local.id)").status == 404, "another entity's endpoint does not exist for it")
        #expect(try await api.central.get("/v1/webhooks/\(local.id)").status == 404, "nor for the central entity")
        #expect(try await entity.get("/v1/webhooks").items().map { $0["id"] as? String } == [local.id])
        #expect(try await api.central.get("/v1/webhooks/\(central.id)").string("secret") == nil, "the secret is shown once")
        let badKind = try await api.central.post("/v1/webhooks", #"{"url": "\#(receiver.url("ok"))", "kinds": ["order_approved"]}"#)
        #expect(badKind.status == 422, "an admin's endpoint takes event kinds: \(badKind.text)")

        // Publication (package_available), an order (order_placed), its approval (order_approved).
        let package = try await api.package()
        let order = try #require(try await entity.post("/v1/packages/\(package)/orders", #"{"label": "mine"}"#).string("id"))
        #expect(try await api.approver.post("/v1/orders/\(order)/approve").status == 200)

        let received = try await receiver.waitFor("fail-2") { requests in requests.filter { $0["status"] as? Int == 204 }.count == 2 }
        #expect(received.allSatisfy { $0["signed"] as? Bool == true }, "every attempt is signed with the endpoint's secret")
        // One at a time, in cursor order: three attempts of the first, then three of the second.
        let kinds = received.map { (($0["body"] as? [String: Any])?["type"] as? String) ?? "?" }
        #expect(kinds == Array(repeating: "package_available", count: 3) + Array(repeating: "order_approved", count: 3))
        let ids = received.map { $0["id"] as? String ?? "?" }
        #expect(Set(ids[0..<3]).count == 1 && Set(ids[3..<6]).count == 1 && ids[0] != ids[3], "one webhook-id per event: \(ids)")
        let cursors = received.compactMap { (($0["body"] as? [String: Any])?["data"] as? [String: Any])?["cursor"] as? Int }
        #expect(cursors == cursors.sorted() && cursors.count == 6)

        // The endpoint also takes webhook_disabled, which W-2's endpoint sends once its
        // retry window is over: on a loaded machine it may already be there.
        func type(_ request: [String: Any]) -> String? { (request["body"] as? [String: Any])?["type"] as? String }
        let placed = try await receiver.waitFor("ok") { $0.contains { type($0) == "order_placed" } }
            .filter { type($0) == "order_placed" }
        #expect(placed.count == 1 && placed[0]["signed"] as? Bool == true)
        let event = try #require(placed[0]["body"] as? [String: Any])
        #expect(event["type"] as? String == "order_placed")
        #expect((event["data"] as? [String: Any])?["order_id"] as? String == order)
        #expect((event["data"] as? [String: Any])?["entity"] as? String == "W-1")

        // The log, then a redelivery with the same webhook-id.
        // The receiver logs before it answers: the daemon records the answer a moment later.
        var deliveries: [[String: Any]] = []
        let recorded = ContinuousClock.now + .seconds(10)
        repeat {
            deliveries = try await entity.get("/v1/webhooks/\(local.id)/deliveries").items()
            if deliveries.allSatisfy({ $0["status"] as? String == "delivered" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        } while ContinuousClock.now < recorded
        #expect(deliveries.map { $0["status"] as? String } == ["delivered", "delivered"])
        #expect(deliveries.map { $0["attempts"] as? Int } == [3, 3])
        #expect(deliveries.map { $0["last_status_code"] as? Int } == [204, 204])
        let first = try #require(deliveries.last?["id"] as? String)
        #expect(try await other.post("/v1/webhooks/\(local.id)/deliveries/\(first)/redeliver").status == 404)
        let again = try await entity.post("/v1/webhooks/\(local.id)/deliveries/\(first)/redeliver")
        #expect(again.status == 202, "\(again.text)")
        let redelivered = try await receiver.waitFor("fail-2") { $0.count == 7 }
        #expect(redelivered[6]["id"] as? String == ids[0] && redelivered[6]["status"] as? Int == 204)

        // W-2's receiver never answers 2xx: after the retry window its endpoint is disabled,
        // and the central entity is told (event and webhook).
        let disabled = try await receiver.waitFor("ok", timeout: .seconds(30)) { $0.count == 2 }
        let told = try #require(disabled[1]["body"] as? [String: Any])
        #expect(told["type"] as? String == "webhook_disabled")
        #expect((told["data"] as? [String: Any])?["entity"] as? String == "W-2")
        let endpoint = try await other.get("/v1/webhooks/\(down.id)")
        #expect(try endpoint.json()["disabled_at"] is String, "\(endpoint.text)")
        let failed = try await other.get("/v1/webhooks/\(down.id)/deliveries").items()
        #expect(failed.first?["status"] as? String == "failed" && (failed.first?["attempts"] as? Int ?? 0) >= 2)
        let events = try await api.central.get("/v1/events").items().map { $0["kind"] as? String }
        #expect(events.contains("webhook_disabled") && events.contains("order_placed") && events.contains("package_submitted"))

        #expect(try await entity.delete("/v1/webhooks/\(local.id)").status == 204)
        #expect(try await entity.get("/v1/webhooks/\(local.id)").status == 404)
    }

    @Test func privateTargetsAreRefusedAtRegistrationAndAtDelivery() async throws {
        let api = try await APIHarness.start(["--job-poll-interval", "0.2"])
        let receiver = try await WebhookReceiver.start()
        for url in [
            receiver.url("ok"), "http://10.1.2.3/x", "http://169.254.169.254/latest", "http://[::1]:8080/",
            "http://[::ffff:127.0.0.1]/", "http://localhost:9/", "http://192.168.0.10/", "ftp://example.com/",
            "https://user:secret@example.com/", "not a url",
        ] {
            let answer = try await api.central.post("/v1/webhooks", #"{"url": "\#(url)"}"#)
            #expect(answer.status == 422, "\(url): \(answer.text)")
            #expect(try answer.json()["problems"] != nil)
        }
        #expect(try await api.central.get("/v1/webhooks").items().isEmpty, "nothing was registered")

        // A name that resolved to a public address at registration may resolve to a private
        // one later (DNS rebinding): each attempt checks again. Written here as it would be
        // stored after a public registration.
        let connection = try await api.connect()
        defer { connection.close() }
        try await connection.query(
            "INSERT INTO central.webhooks (url, secret, created_by) VALUES (\(receiver.url("ok")), 'whsec_AAAA', 'test')")
        _ = try await api.package(upTo: "pending_approval")
        let deadline = ContinuousClock.now + .seconds(20)
        var error: String?
        while ContinuousClock.now < deadline, error == nil {
            error = try await connection.query("SELECT last_error FROM central.webhook_deliveries").first?
                .decode(String?.self, "last_error")
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(error?.contains("loopback") == true, "\(error ?? "no attempt")")
        #expect(receiver.requests().isEmpty, "nothing reached the receiver")
    }

    @Test func eventsArePolledAndLongPolledLikeNotifications() async throws {
        let api = try await APIHarness.start()
        let start = try await api.central.get("/v1/events")
        #expect(start.status == 200)
        let after = try start.json()["next_cursor"] as? Int ?? -1
        let waiting = Task { try await api.central.get("/v1/events?after=\(after)&wait=20") }
        try await Task.sleep(for: .milliseconds(300))
        let package = try await api.package(upTo: "pending_approval")
        let woken = try await waiting.value
        let items = try woken.items()
        #expect(items.map { $0["kind"] as? String } == ["package_submitted"])
        #expect(items.first?["package_id"] as? String == package)
        #expect(items.first?["operator"] as? String == "operator:tester")
        let next = try woken.json()["next_cursor"] as? Int ?? 0
        #expect(try await api.central.get("/v1/events?after=\(next)").items().isEmpty, "nothing twice")
        let entity = try await api.entity("E-1")
        #expect(try await entity.get("/v1/events").status == 403, "the central entity's feed only")
    }

    @Test func remindersFollowTheDeadlines() async throws {
        let api = try await APIHarness.start(["--reminder-lead", "4", "--job-poll-interval", "0.2"])
        let ordering = try await api.entity("R-1")
        let silent = try await api.entity("R-2")
        let now = Date()
        func at(_ seconds: Double) -> String { ISO8601DateFormatter().string(from: now.addingTimeInterval(seconds)) }
        // The approval deadline in 5 s: its reminder goes out at 1 s, while the package
        // waits for its approval; it is approved once that reminder is out, before it is
        // late. The order deadline in 10 s: its reminder goes out at 6 s, to who has not ordered.
        let package = try await api.package(
            #"{"label": "Due", "type": "local", "campaign_name": "due", "campaign_folder": "/c", "order_deadline": "\#(at(10))", "approval_deadline": "\#(at(5))"}"#,
            upTo: "pending_approval")
        var reminded: [String] = []
        let remindedBy = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < remindedBy, !reminded.contains("approval_reminder") {
            reminded = try await api.central.get("/v1/events?limit=100").items().compactMap { $0["kind"] as? String }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(reminded.contains("approval_reminder"), "\(reminded)")
        #expect(try await api.approver.post("/v1/packages/\(package)/approve").status == 200)
        #expect(try await api.approver.post("/v1/packages/\(package)/publish").status == 200)
        #expect(try await ordering.post("/v1/packages/\(package)/orders", #"{"label": "mine"}"#).status == 201)
        let deadline = ContinuousClock.now + .seconds(30)
        var kinds: [String] = []
        while ContinuousClock.now < deadline, !kinds.contains("order_deadline_reached") {
            kinds = try await api.central.get("/v1/events?limit=100").items().compactMap { $0["kind"] as? String }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(kinds.contains("order_deadline_reached"), "\(kinds)")
        // Approved before its deadline, it was never late.
        #expect(!kinds.contains("package_late"), "\(kinds)")
        let near = try await silent.get("/v1/notifications").items().filter { $0["kind"] as? String == "order_deadline_near" }
        #expect(near.count == 1 && near.first?["package_id"] as? String == package)
        #expect(try await ordering.get("/v1/notifications").items().allSatisfy { $0["kind"] as? String != "order_deadline_near" })

        // A cancel drops what is still queued.
        let later = try await api.package(
            #"{"label": "Later", "type": "local", "campaign_name": "later", "campaign_folder": "/c", "order_deadline": "\#(at(3600))"}"#)
        let connection = try await api.connect()
        defer { connection.close() }
        func queued() async throws -> Int {
            try await connection.query(
                "SELECT count(*) AS n FROM central.jobs WHERE kind = 'deadline_reminder' AND status = 'queued' AND package_id = \(Int(later)!)"
            )[0].decode(Int.self, "n")
        }
        #expect(try await queued() == 2, "near and reached")
        let cancel = try await api.approver.post("/v1/packages/\(later)/cancel", #"{"comment": "no"}"#)
        #expect(try await api.finishedJob(try #require(try cancel.string("job.id"))).string("status") == "succeeded")
        #expect(try await queued() == 0)
    }

    @Test func aDaemonKilledMidDeliveryLeavesItToTheNextWithTheSameWebhookID() async throws {
        let arguments = ["--webhook-allow-private", "--webhook-timeout", "3", "--job-poll-interval", "0.2"]
        let api = try await APIHarness.start(arguments)
        let receiver = try await WebhookReceiver.start()
        let entity = try await api.entity("K-1")
        let hook = try Self.created(try await entity.post("/v1/webhooks", #"{"url": "\#(receiver.url("slow-2"))"}"#))
        try await receiver.trust("slow-2", secret: hook.secret)
        _ = try await api.package()
        // The attempt is on record before it is sent: kill the daemon while the receiver holds it.
        let connection = try await api.connect()
        defer { connection.close() }
        func delivery() async throws -> (attempts: Int, status: String)? {
            try await connection.query("SELECT attempts, status FROM central.webhook_deliveries").first.map {
                (try $0.decode(Int.self, "attempts"), try $0.decode(String.self, "status"))
            }
        }
        let started = ContinuousClock.now
        while try await delivery()?.attempts != 1, ContinuousClock.now < started + .seconds(20) {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await api.daemon.stop(signal: SIGKILL)
        #expect(try await delivery()?.status == "pending", "the outcome never reached the database")

        // Another daemon takes the endpoint over once the dead one's lease runs out.
        let second = try await DaemonProcess.start(
            ["serve", "--port", "0", "--database-url", api.database.serviceConnectionString, "--pool-size", "4"] + arguments)
        _ = try await second.waitForPort()
        let received = try await receiver.waitFor("slow-2", timeout: .seconds(40)) { $0.count == 2 }
        #expect(received[0]["id"] as? String == received[1]["id"] as? String, "at least once, with one webhook-id")
        #expect(received.allSatisfy { $0["signed"] as? Bool == true })
        #expect((received[0]["body"] as? [String: Any])?["type"] as? String == "package_available")
        let deadline = ContinuousClock.now + .seconds(10)
        while try await delivery()?.status != "delivered", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        let final = try await delivery()
        #expect(final?.status == "delivered" && final?.attempts == 2)
    }

    @Test func twoDaemonsNeverDeliverToOneEndpointAtOnce() async throws {
        let arguments = ["--webhook-allow-private", "--webhook-concurrency", "3", "--job-poll-interval", "0.2"]
        let api = try await APIHarness.start(arguments)
        let second = try await DaemonProcess.start(
            ["serve", "--port", "0", "--database-url", api.database.serviceConnectionString, "--pool-size", "4"] + arguments)
        let secondPort = try await second.waitForPort()
        let receiver = try await WebhookReceiver.start()
        let codes = (1...12).map { "C-\($0)" }
        for code in codes {
            let entity = try await api.entity(code)
            let path = "slow-0.2/\(code)"
            let hook = try Self.created(try await entity.post("/v1/webhooks", #"{"url": "\#(receiver.url(path))"}"#))
            try await receiver.trust(path, secret: hook.secret)
        }
        // Two publications: two deliveries per endpoint, 24 in all, for six slots (three per daemon).
        _ = try await api.package()
        _ = try await api.package(#"{"label": "Summer", "type": "local", "campaign_name": "summer", "campaign_folder": "/c"}"#)
        let received = try await receiver.waitFor(nil, timeout: .seconds(40)) { $0.count >= 24 }
        try await Task.sleep(for: .milliseconds(500))
        let all = receiver.requests()
        #expect(all.count == 24, "each event once, none twice: \(all.count)")
        #expect(Set(all.compactMap { $0["id"] as? String }).count == 24)
        #expect(received.allSatisfy { $0["signed"] as? Bool == true && $0["status"] as? Int == 200 })
        for code in codes {
            let mine = all.filter { $0["path"] as? String == "/slow-0.2/\(code)" }
            #expect(mine.count == 2, "\(code): \(mine.count)")
            guard mine.count == 2, let firstEnded = mine[0]["ended"] as? Double, let secondStarted = mine[1]["started"] as? Double
            else { continue }
            #expect(secondStarted >= firstEnded, "\(code): the second delivery began before the first was answered")
            let cursors = mine.compactMap { (($0["body"] as? [String: Any])?["data"] as? [String: Any])?["cursor"] as? Int }
            #expect(cursors == cursors.sorted(), "\(code): in cursor order")
        }
        // Both daemons took a share, and between them delivered each event once.
        func delivered(port: Int) async throws -> Int {
            let line = try await HTTPTestClient(port: port).get("/metrics").text.split(separator: "\n")
                .first { $0.hasPrefix(#"campaignd_webhook_attempts_total{outcome="delivered"} "#) }
            return line.flatMap { Double($0.split(separator: " ").last ?? "") }.map { Int($0) } ?? 0
        }
        let first = try await delivered(port: api.central.port)
        let other = try await delivered(port: secondPort)
        #expect(first > 0 && other > 0 && first + other == 24, "delivered by the first \(first), the second \(other)")
    }

    @Test func anAttemptWithoutAnAnswerInTimeIsRetried() async throws {
        let api = try await APIHarness.start(["--webhook-allow-private", "--webhook-timeout", "1", "--job-poll-interval", "0.2"])
        let receiver = try await WebhookReceiver.start()
        let entity = try await api.entity("T-1")
        let hook = try Self.created(try await entity.post("/v1/webhooks", #"{"url": "\#(receiver.url("slow-3"))"}"#))
        _ = try await api.package()
        let deadline = ContinuousClock.now + .seconds(20)
        var delivery: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            delivery = try await entity.get("/v1/webhooks/\(hook.id)/deliveries").items().first ?? [:]
            if (delivery["attempts"] as? Int ?? 0) >= 2 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(delivery["status"] as? String == "pending", "\(delivery)")
        #expect((delivery["attempts"] as? Int ?? 0) >= 2, "tried again after the timeout: \(delivery)")
        #expect((delivery["last_error"] as? String)?.contains("no answer within") == true, "\(delivery)")
        #expect(delivery["last_status_code"] is NSNull)
    }
}

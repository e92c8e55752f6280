import Foundation
import Postgres
import TestSupport
import Testing

@Suite(.databasePerTest) struct NotificationAPITests {
    /// A published package with an order by each given entity; returns the order ids.
    func orders(_ api: APIHarness, _ clients: [HTTPTestClient]) async throws -> [String] {
        let id = try await api.package()
        var ids: [String] = []
        for client in clients {
            ids.append(try #require(try await client.post("/v1/packages/\(id)/orders", #"{"label": "o"}"#).string("id")))
        }
        return ids
    }

    @Test func entitiesReadTheirOwnFeedInCursorOrder() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let orders = try await orders(api, [paris, lyon])
        _ = try await api.central.post("/v1/orders/\(orders[0])/approve", #"{"comment": "ok"}"#)
        _ = try await api.central.post("/v1/orders/\(orders[1])/reject", #"{"comment": "no"}"#)

        let feed = try await paris.get("/v1/notifications")
        #expect(feed.status == 200)
        let items = try feed.items()
        #expect(items.map { $0["kind"] as? String } == ["package_available", "order_approved"])
        #expect(items.last?["comment"] as? String == "ok")
        #expect(items.last?["order_id"] as? String == orders[0])
        let cursors = items.compactMap { $0["cursor"] as? Int }
        #expect(cursors == cursors.sorted())
        #expect(try feed.json()["next_cursor"] as? Int == cursors.last)

        // Paging: one at a time, resuming from next_cursor.
        let first = try await paris.get("/v1/notifications?limit=1")
        let next = try #require(try first.json()["next_cursor"] as? Int)
        let second = try await paris.get("/v1/notifications?after=\(next)&limit=1")
        #expect(try second.items().first?["kind"] as? String == "order_approved")
        // Nothing more: next_cursor stays where it was asked.
        let end = try await paris.get("/v1/notifications?after=\(cursors.last ?? 0)")
        #expect(try end.items().isEmpty)
        #expect(try end.json()["next_cursor"] as? Int == cursors.last)

        // Lyon sees only its own rows; central tokens have no feed.
        #expect(try await lyon.get("/v1/notifications").items().map { $0["kind"] as? String } == ["package_available", "order_rejected"])
        #expect(try await api.central.get("/v1/notifications").status == 403)
        #expect(try await paris.get("/v1/notifications?wait=61").status == 422)
    }

    @Test func aLongPollIsWokenByANewRowAndOtherwiseTimesOutEmpty() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let orders = try await orders(api, [paris])
        let start = try #require(try await paris.get("/v1/notifications").json()["next_cursor"] as? Int)

        let began = ContinuousClock.now
        let empty = try await paris.get("/v1/notifications?after=\(start)&wait=1")
        #expect(ContinuousClock.now - began >= .milliseconds(950))
        #expect(try empty.items().isEmpty)
        #expect(try empty.json()["next_cursor"] as? Int == start)

        let poll = Task { try await paris.get("/v1/notifications?after=\(start)&wait=30") }
        try await Task.sleep(for: .milliseconds(500))
        let approved = ContinuousClock.now
        _ = try await api.central.post("/v1/orders/\(orders[0])/approve")
        let woken = try await poll.value
        // Woken by the row, long before the 30 s wait ends (the latency itself is measured in bench/).
        #expect(ContinuousClock.now - approved < .seconds(15))
        #expect(try woken.items().map { $0["kind"] as? String } == ["order_approved"])
        #expect(try woken.json()["next_cursor"] as? Int ?? 0 > start)
    }

    /// A client that hangs up in the middle of a long poll ends its wait at once, instead of
    /// leaving it (and its memory) until `wait` runs out.
    @Test func aClientThatHangsUpEndsItsWait() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let after = try #require(try await paris.get("/v1/notifications").json()["next_cursor"] as? Int)
        func waiters() async throws -> Double? { try await longPollWaiters(api) }
        let requests = [
            try await paris.start("/v1/notifications?after=\(after)&wait=60"),
            try await paris.start("/v1/notifications?after=\(after)&wait=60"),
        ]
        try await waitUntil("both polls to wait") { try await waiters() == 2 }
        requests[0].hangUp()
        try await waitUntil("the first wait to end", timeout: .seconds(10)) {
            try await waiters() == 1
        }
        requests[1].hangUp()
        try await waitUntil("the second wait to end", timeout: .seconds(10)) {
            try await waiters() == 0
        }
        // The daemon still answers the same entity.
        #expect(try await paris.get("/v1/notifications?after=\(after)").status == 200)
    }

    /// `campaignd_long_poll_waiters` from the daemon's `/metrics`.
    func longPollWaiters(_ api: APIHarness) async throws -> Double? {
        var anonymous = api.central
        anonymous.token = nil
        return try await anonymous.get("/metrics").text.split(separator: "\n")
            .first { $0.hasPrefix("campaignd_long_poll_waiters ") }
            .flatMap { Double($0.dropFirst("campaignd_long_poll_waiters ".count)) }
    }

    /// A long poll whose first read fails answers an error and leaves no wait behind.
    @Test func aLongPollWhoseReadFailsLeavesNoWaitBehind() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let connection = try await api.connect()
        defer { connection.close() }
        try await connection.execute(
            unsafeSQL: "REVOKE EXECUTE ON FUNCTION local.notifications_after_each(bigint[], bigint[], bigint[]) FROM campaignd_service")
        let failed = try await paris.get("/v1/notifications?after=0&wait=30")
        #expect(failed.status == 500)
        #expect(try failed.string("code") == "internal")
        #expect(try await longPollWaiters(api) == 0)
    }

    @Test func anotherEntitysRowDoesNotWakeALongPoll() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let orders = try await orders(api, [paris, lyon])
        let start = try #require(try await paris.get("/v1/notifications").json()["next_cursor"] as? Int)
        let poll = Task { try await paris.get("/v1/notifications?after=\(start)&wait=2") }
        try await Task.sleep(for: .milliseconds(300))
        _ = try await api.central.post("/v1/orders/\(orders[1])/approve")
        #expect(try await poll.value.items().isEmpty)
    }

    @Test func acknowledgementsAreValidated() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        _ = try await orders(api, [paris])
        let cursor = try #require(try await paris.get("/v1/notifications").json()["next_cursor"] as? Int)
        let ack = try await paris.post("/v1/notifications/ack", #"{"cursor": \#(cursor)}"#)
        #expect(ack.status == 204)
        #expect(try await paris.post("/v1/notifications/ack", #"{"cursor": \#(cursor + 100)}"#).status == 422)
        #expect(try await paris.post("/v1/notifications/ack", #"{"cursor": -1}"#).status == 422)
        #expect(try await paris.post("/v1/notifications/ack", "{}").status == 422)
        #expect(try await api.central.post("/v1/notifications/ack", #"{"cursor": 1}"#).status == 403)
    }
}

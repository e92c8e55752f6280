import Postgres
import TestSupport
import Testing

@Suite(.database) struct ListenerTests {
    @Test func notificationsArriveOnTheirChannel() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let channel = "Jobs \"Queue\""  // quoted by PQescapeIdentifier
        let listener = PostgresListener(
            configuration: database.configuration, channels: [channel, "other"], logger: TestCluster.logger)
        var events = listener.makeAsyncIterator()
        #expect(await events.next() == .listening)
        try await pool.notify(channel: channel, payload: "first")
        try await pool.withTransaction { connection in
            try await connection.notify(channel: "other", payload: "second")
            try await connection.notify(channel: "unheard", payload: "never")
        }
        guard case .notification(let first) = await events.next() else {
            Issue.record("expected a notification")
            return
        }
        #expect(first.channel == channel)
        #expect(first.payload == "first")
        guard case .notification(let second) = await events.next() else {
            Issue.record("expected a notification")
            return
        }
        #expect(second == PostgresNotification(channel: "other", payload: "second", senderPID: second.senderPID))
    }

    @Test func rolledBackNotificationsAreNotDelivered() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let listener = PostgresListener(configuration: database.configuration, channels: ["rb"], logger: TestCluster.logger)
        var events = listener.makeAsyncIterator()
        #expect(await events.next() == .listening)
        await #expect(throws: Boom.self) {
            try await pool.withTransaction { connection in
                try await connection.notify(channel: "rb", payload: "rolled back")
                throw Boom()
            }
        }
        try await pool.notify(channel: "rb", payload: "committed")
        guard case .notification(let event) = await events.next() else {
            Issue.record("expected a notification")
            return
        }
        #expect(event.payload == "committed")
    }
}

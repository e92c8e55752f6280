import CoreMetrics
import Domain
import Postgres

/// Writes central events (`central.events`) in the caller's transaction.
///
/// Like ``NotificationWriter``: every write first takes the events' transaction-level
/// advisory lock, held until commit, so cursors follow commit order; call it as the last
/// step of a transaction. A transaction that writes both notifications and events writes
/// the notifications first (one lock order, no deadlock).
public struct EventWriter: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Key of the advisory lock that orders the events.
    static let lockKey = 7_311_447_302_201_415_003

    static let writtenCounters: [EventKind: Counter] = Dictionary(
        uniqueKeysWithValues: EventKind.allCases.map {
            ($0, Counter(label: "campaignd_events_written_total", dimensions: [("kind", $0.rawValue)]))
        })

    /// Records one event; `eventKey` makes it idempotent (an event already recorded with
    /// this key is not recorded again). Returns the rows written (0 or 1).
    @discardableResult
    public func record(
        _ kind: EventKind, packageID: Int? = nil, orderID: Int? = nil, entity: String? = nil,
        operator operatorName: String? = nil, comment: String? = nil, eventKey: String
    ) async throws -> Int {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.lockKey))")
        let written = try await WebhookOutbox(connection: connection).insert(
            """
            INSERT INTO central.events (kind, package_id, order_id, entity, operator, comment, event_key)
            VALUES (\(kind.rawValue), \(packageID), \(orderID), \(entity), \(operatorName), \(comment), \(eventKey))
            ON CONFLICT (event_key) DO NOTHING
            """, into: .events)
        if written > 0 {
            try await connection.notify(channel: EventFeed.wakeChannel, payload: kind.rawValue)
            writtenCounters(kind).increment(by: written)
        }
        return written
    }

    private func writtenCounters(_ kind: EventKind) -> Counter {
        Self.writtenCounters[kind] ?? Counter(label: "campaignd_events_written_total", dimensions: [("kind", kind.rawValue)])
    }
}

extension StoreTransaction {
    public var events: EventWriter { EventWriter(connection: connection) }
    public var eventFeed: EventFeed { EventFeed(connection: connection) }
}

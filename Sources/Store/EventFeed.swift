import Domain
import Foundation
import Postgres

/// A central event as central operators read it (`GET /v1/events`).
public struct CentralEvent: FeedRow, Equatable {
    public var cursor: Int
    public var kind: EventKind
    public var packageID: Int?
    public var orderID: Int?
    /// The entity's code, for events about one entity.
    public var entity: String?
    /// Who caused the event, or who a reminder is for.
    public var operatorName: String?
    public var comment: String?
    public var createdAt: Date

    /// One feed for every central operator.
    public var feedKey: Int { 0 }

    public var json: JSONValue {
        .object([
            "cursor": .int(cursor), "kind": .string(kind.rawValue), "package_id": .id(packageID),
            "order_id": .id(orderID), "entity": .text(entity), "operator": .text(operatorName),
            "comment": .text(comment), "created_at": .date(createdAt),
        ])
    }
}

/// Reading and pruning `central.events`, the central entity's feed: the same cursor
/// guarantees as the notifications (``CommitOrderedFeed``), one feed for all operators.
public struct EventFeed: CommitOrderedFeed {
    let connection: PostgresConnection

    public static let wakeChannel = "campaignd_events"
    public static let name = "events"

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let columns: PostgresQuery = "e.cursor, e.kind, e.package_id, e.order_id, e.entity, e.operator, e.comment, e.created_at"

    public func rows(of polls: [FeedPoll]) async throws -> [[CentralEvent]] {
        guard !polls.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT p.request, \(Self.columns)
            FROM unnest(\(polls.map(\.after)), \(polls.map(\.limit))) WITH ORDINALITY AS p (after, lim, request)
            CROSS JOIN LATERAL (
                SELECT * FROM central.events WHERE cursor > p.after ORDER BY cursor LIMIT greatest(p.lim, 0)) AS e
            ORDER BY p.request, e.cursor
            """)
        return try Self.answers(rows, polls: polls.count, decode: Self.decode)
    }

    public func rowsSince(_ cursor: Int, keys: [Int]) async throws -> (rows: [CentralEvent], highest: Int) {
        let highest = max(try await highestCursor(), cursor)
        guard !keys.isEmpty, highest > cursor else { return ([], highest) }
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM central.events e
            WHERE e.cursor > \(cursor) AND e.cursor <= \(highest) ORDER BY e.cursor
            """
        ).map(Self.decode)
        return (rows, highest)
    }

    public func highestCursor() async throws -> Int {
        try await connection.query("SELECT coalesce(max(cursor), 0) AS highest FROM central.events")[0]
            .decode(Int.self, "highest")
    }

    /// The newest events first (the console's list): those of `kinds` (all when empty)
    /// with a cursor below `before` (from the newest when `nil`).
    public func recent(kinds: [EventKind], before: Int?, limit: Int) async throws -> [CentralEvent] {
        try await connection.query(
            """
            SELECT \(Self.columns) FROM central.events e
            WHERE (\(before) IS NULL OR e.cursor < \(before))
              AND (cardinality(\(kinds.map(\.rawValue))::text[]) = 0 OR e.kind = ANY(\(kinds.map(\.rawValue))::text[]))
            ORDER BY e.cursor DESC LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    /// Deletes, in one batch, events older than `expiry`. Returns the rows deleted.
    public func prune(expiry: Duration, batch: Int = 5000) async throws -> Int {
        try await connection.query(
            """
            DELETE FROM central.events WHERE cursor IN (
                SELECT cursor FROM central.events
                WHERE created_at < now() - \(expiry.seconds) * interval '1 second' ORDER BY cursor LIMIT \(batch))
            """
        ).affectedRows
    }

    static func decode(_ row: PostgresRow) throws -> CentralEvent {
        let text = try row.decode(String.self, "kind")
        guard let kind = EventKind(rawValue: text) else {
            throw PostgresError(code: .decoding, message: "unknown event kind \(text)")
        }
        return CentralEvent(
            cursor: try row.decode(Int.self, "cursor"), kind: kind, packageID: try row.decode(Int?.self, "package_id"),
            orderID: try row.decode(Int?.self, "order_id"), entity: try row.decode(String?.self, "entity"),
            operatorName: try row.decode(String?.self, "operator"), comment: try row.decode(String?.self, "comment"),
            createdAt: try row.decode(Date.self, "created_at"))
    }
}

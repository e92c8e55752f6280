import Domain
import Foundation
import Postgres

/// A notification row as a local entity reads it.
public struct EntityNotification: FeedRow, Equatable {
    public var cursor: Int
    public var entityID: Int
    public var kind: NotificationKind
    public var packageID: Int?
    public var orderID: Int?
    public var revision: Int?
    public var comment: String?
    public var createdAt: Date

    public var feedKey: Int { entityID }

    public var json: JSONValue {
        .object([
            "cursor": .int(cursor), "kind": .string(kind.rawValue), "package_id": .id(packageID),
            "order_id": .id(orderID), "revision": revision.map { .int($0) } ?? .null,
            "comment": .text(comment), "created_at": .date(createdAt),
        ])
    }
}

/// Reading, acknowledging and pruning `local.notifications`.
///
/// Cursors follow commit order (see ``NotificationWriter``), so "the rows after my
/// cursor, in cursor order" never skips a row that commits late, and a client that
/// resumes from the last cursor it saw gets nothing twice.
public struct NotificationFeed: CommitOrderedFeed {
    let connection: PostgresConnection

    public static let wakeChannel = "campaignd_notifications"
    public static let name = "notifications"

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    static let columns: PostgresQuery =
        "cursor, entity_id, kind, package_id, order_id, revision, comment, created_at"

    /// The entity's rows after `cursor`, in cursor order, read as that entity (row level
    /// security applies whatever the transaction is scoped to).
    public func rows(entityID: Int, after cursor: Int, limit: Int) async throws -> [EntityNotification] {
        try await rows(of: [FeedPoll(key: entityID, after: cursor, limit: limit)])[0]
    }

    /// The rows of several polls, in one statement that needs no transaction around it: for
    /// each poll, its entity's rows after its cursor, in cursor order, read as that entity
    /// (`local.notifications_after_each`, migration 0010).
    public func rows(of polls: [FeedPoll]) async throws -> [[EntityNotification]] {
        guard !polls.isEmpty else { return [] }
        let rows = try await connection.query(
            """
            SELECT request, \(Self.columns)
            FROM local.notifications_after_each(\(polls.map(\.key)), \(polls.map(\.after)), \(polls.map(\.limit)))
            """)
        return try Self.answers(rows, polls: polls.count, decode: Self.decode)
    }

    public func rowsSince(_ cursor: Int, keys entities: [Int]) async throws -> (rows: [EntityNotification], highest: Int) {
        let highest = try await connection.query(
            "SELECT coalesce(max(cursor), \(cursor)) AS highest FROM local.notifications WHERE cursor > \(cursor)"
        )[0].decode(Int.self, "highest")
        guard !entities.isEmpty, highest > cursor else { return ([], highest) }
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM local.notifications
            WHERE cursor > \(cursor) AND cursor <= \(highest) AND entity_id = ANY(\(entities))
            ORDER BY cursor
            """
        ).map(Self.decode)
        return (rows, highest)
    }

    public func highestCursor() async throws -> Int {
        try await connection.query("SELECT coalesce(max(cursor), 0) AS highest FROM local.notifications")[0]
            .decode(Int.self, "highest")
    }

    /// Records that the entity has read up to `cursor` (never moving backwards). A cursor
    /// beyond the entity's last row is refused: it would let unread rows be pruned.
    public func acknowledge(entityID: Int, cursor: Int) async throws {
        let last = try await connection.query(
            "SELECT coalesce(max(cursor), 0) AS last FROM local.notifications WHERE entity_id = \(entityID)"
        )[0].decode(Int.self, "last")
        let acknowledged = try await connection.query(
            "SELECT cursor FROM local.notification_acks WHERE entity_id = \(entityID)"
        ).first?.decode(Int.self, "cursor") ?? 0
        guard cursor <= max(last, acknowledged) else {
            throw StoreError.validation(
                ValidationFailure(problems: [
                    FieldProblem(field: "cursor", message: "is beyond the last notification delivered (\(last))")
                ]))
        }
        try await connection.query(
            """
            INSERT INTO local.notification_acks (entity_id, cursor) VALUES (\(entityID), \(cursor))
            ON CONFLICT (entity_id) DO UPDATE
            SET cursor = greatest(local.notification_acks.cursor, EXCLUDED.cursor), acked_at = now()
            """)
    }

    /// Deletes, in one batch, rows acknowledged and older than `retention`, or older than
    /// `expiry` whatever their acknowledgement. Returns the rows deleted (call again while
    /// it returns `batch`).
    public func prune(retention: Duration, expiry: Duration, batch: Int = 5000) async throws -> Int {
        try await connection.query(
            """
            DELETE FROM local.notifications WHERE (entity_id, cursor) IN (
                SELECT n.entity_id, n.cursor FROM local.notifications n
                LEFT JOIN local.notification_acks a ON a.entity_id = n.entity_id
                WHERE n.created_at < now() - \(expiry.seconds) * interval '1 second'
                   OR (n.cursor <= a.cursor AND n.created_at < now() - \(retention.seconds) * interval '1 second')
                LIMIT \(batch))
            """
        ).affectedRows
    }

    static func decodeKind(_ row: PostgresRow) throws -> NotificationKind {
        let text = try row.decode(String.self, "kind")
        guard let kind = NotificationKind(rawValue: text) else {
            throw PostgresError(code: .decoding, message: "unknown notification kind \(text)")
        }
        return kind
    }

    static func decode(_ row: PostgresRow) throws -> EntityNotification {
        EntityNotification(
            cursor: try row.decode(Int.self, "cursor"), entityID: try row.decode(Int.self, "entity_id"),
            kind: try decodeKind(row), packageID: try row.decode(Int?.self, "package_id"),
            orderID: try row.decode(Int?.self, "order_id"), revision: try row.decode(Int?.self, "revision"),
            comment: try row.decode(String?.self, "comment"), createdAt: try row.decode(Date.self, "created_at"))
    }
}

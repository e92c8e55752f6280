import Domain
import Foundation
import Postgres

/// A notification row as a local entity reads it.
public struct EntityNotification: Sendable, Equatable {
    public var cursor: Int
    public var entityID: Int
    public var kind: NotificationKind
    public var packageID: Int?
    public var orderID: Int?
    public var revision: Int?
    public var comment: String?
    public var createdAt: Date
}

/// One read of a feed: an entity's rows after a cursor, at most `limit` of them.
public struct FeedPoll: Sendable, Equatable {
    public var entityID: Int
    public var after: Int
    public var limit: Int

    public init(entityID: Int, after: Int, limit: Int) {
        self.entityID = entityID
        self.after = after
        self.limit = limit
    }
}

/// Reading, acknowledging and pruning `local.notifications`.
///
/// Cursors follow commit order (see ``NotificationWriter``), so "the rows after my
/// cursor, in cursor order" never skips a row that commits late, and a client that
/// resumes from the last cursor it saw gets nothing twice.
public struct NotificationFeed: Sendable {
    let connection: PostgresConnection

    static let columns: PostgresQuery =
        "cursor, entity_id, kind, package_id, order_id, revision, comment, created_at"

    /// The entity's rows after `cursor`, in cursor order, read as that entity (row level
    /// security applies whatever the transaction is scoped to).
    public func rows(entityID: Int, after cursor: Int, limit: Int) async throws -> [EntityNotification] {
        try await rows(of: [FeedPoll(entityID: entityID, after: cursor, limit: limit)])[0]
    }

    /// The rows of several polls, in one statement that needs no transaction around it: for
    /// each poll, its entity's rows after its cursor, in cursor order, read as that entity
    /// (`local.notifications_after_each`, migration 0010).
    public func rows(of polls: [FeedPoll]) async throws -> [[EntityNotification]] {
        var answers = Array(repeating: [EntityNotification](), count: polls.count)
        guard !polls.isEmpty else { return answers }
        let rows = try await connection.query(
            """
            SELECT request, \(Self.columns)
            FROM local.notifications_after_each(\(polls.map(\.entityID)), \(polls.map(\.after)), \(polls.map(\.limit)))
            """)
        for row in rows {
            let request = try row.decode(Int.self, "request")
            guard answers.indices.contains(request - 1) else {
                throw PostgresError(code: .server, message: "the feed answered for poll \(request) of \(polls.count)")
            }
            answers[request - 1].append(try Self.decode(row))
        }
        return answers
    }

    /// Every row committed after `cursor` for the given entities, in cursor order, and the
    /// highest cursor committed (whatever the entity): how the daemon wakes long polls.
    public func rowsSince(_ cursor: Int, entities: [Int]) async throws -> (rows: [EntityNotification], highest: Int) {
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

    /// The highest cursor committed so far.
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

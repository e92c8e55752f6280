import Domain
import Foundation
import Postgres

/// A notification row as a local entity reads it.
public struct EntityNotification: Sendable, Equatable {
    public var cursor: Int
    public var entityID: Int
    public var kind: String
    public var packageID: Int?
    public var orderID: Int?
    public var revision: Int?
    public var comment: String?
    public var createdAt: Date
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
    /// security applies whatever the transaction is scoped to). One statement: it needs
    /// no transaction around it (see ``Store/notifications(entityID:after:limit:)``).
    public func rows(entityID: Int, after cursor: Int, limit: Int) async throws -> [EntityNotification] {
        try await connection.query(
            "SELECT \(Self.columns) FROM local.notifications_after(\(entityID), \(cursor), \(limit))"
        ).map(Self.decode)
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

    static func decode(_ row: PostgresRow) throws -> EntityNotification {
        EntityNotification(
            cursor: try row.decode(Int.self, "cursor"), entityID: try row.decode(Int.self, "entity_id"),
            kind: try row.decode(String.self, "kind"), packageID: try row.decode(Int?.self, "package_id"),
            orderID: try row.decode(Int?.self, "order_id"), revision: try row.decode(Int?.self, "revision"),
            comment: try row.decode(String?.self, "comment"), createdAt: try row.decode(Date.self, "created_at"))
    }
}

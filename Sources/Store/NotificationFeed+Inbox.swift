import Domain
import Postgres

/// What the portal's header and inbox show of an entity's feed.
public struct InboxState: Sendable, Equatable {
    /// Rows after the entity's acknowledged cursor.
    public var unread: Int
    /// The entity's acknowledged cursor (0 before any acknowledgement).
    public var acknowledged: Int
    /// The entity's newest row's cursor (0 when it has none): where a live count starts.
    public var newest: Int
}

extension NotificationFeed {
    /// The unread count, the acknowledged cursor and the newest cursor of one entity, in
    /// one statement (on the feed's `(entity_id, cursor)` key).
    public func inbox(entityID: Int) async throws -> InboxState {
        let row = try await connection.query(
            """
            WITH ack AS (SELECT coalesce((SELECT cursor FROM local.notification_acks WHERE entity_id = \(entityID)), 0) AS cursor)
            SELECT ack.cursor AS acknowledged,
                   (SELECT count(*) FROM local.notifications n WHERE n.entity_id = \(entityID) AND n.cursor > ack.cursor) AS unread,
                   coalesce((SELECT max(cursor) FROM local.notifications n WHERE n.entity_id = \(entityID)), 0) AS newest
            FROM ack
            """)[0]
        return InboxState(
            unread: try row.decode(Int.self, "unread"), acknowledged: try row.decode(Int.self, "acknowledged"),
            newest: try row.decode(Int.self, "newest"))
    }

    /// The entity's newest rows, newest first.
    public func latest(entityID: Int, limit: Int) async throws -> [EntityNotification] {
        try await connection.query(
            """
            SELECT \(Self.columns) FROM local.notifications WHERE entity_id = \(entityID)
            ORDER BY cursor DESC LIMIT \(limit)
            """
        ).map(Self.decode)
    }
}

import Postgres

/// Queues webhook deliveries in the statement that writes their notifications or events.
///
/// The feed rows and their deliveries are written by one statement (a data-modifying
/// `WITH`), so they commit together: a notification that commits always has its
/// deliveries, whatever happens to the daemon afterwards, and one that rolls back has
/// none. The workers send them later (`WebhookDeliverer`).
public struct WebhookOutbox {
    let connection: PostgresConnection

    public static let wakeChannel = "campaignd_webhooks"

    enum Feed {
        case notifications
        case events
    }

    /// Runs `statement` (an `INSERT` into a feed, without `RETURNING`), and queues one
    /// delivery per written row and endpoint that wants it: the endpoints of the row's
    /// entity for notifications, the central endpoints for events. Returns the rows the
    /// statement wrote.
    func insert(_ statement: PostgresQuery, into feed: Feed) async throws -> Int {
        let (columns, entity, endpoints) =
            switch feed {
            case .notifications: ("entity_id, cursor, kind", "written.entity_id", "w.entity_id = written.entity_id")
            case .events: ("cursor, kind", "NULL::bigint", "w.entity_id IS NULL")
            }
        let row = try await connection.query(
            """
            WITH written AS (\(statement) RETURNING \(unsafeSQL: columns)),
            queued AS (
                INSERT INTO central.webhook_deliveries (webhook_id, entity_id, cursor, kind)
                SELECT w.id, \(unsafeSQL: entity), written.cursor, written.kind
                FROM written JOIN central.webhooks w
                  ON \(unsafeSQL: endpoints) AND w.disabled_at IS NULL
                 AND (cardinality(w.kinds) = 0 OR written.kind = ANY (w.kinds))
                ORDER BY w.id, written.cursor
                RETURNING 1)
            SELECT (SELECT count(*) FROM written) AS written, (SELECT count(*) FROM queued) AS queued
            """)[0]
        if try row.decode(Int.self, "queued") > 0 {
            try await connection.notify(channel: Self.wakeChannel, payload: "")
        }
        return try row.decode(Int.self, "written")
    }
}

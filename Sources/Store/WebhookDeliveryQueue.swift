import Domain
import Foundation
import Postgres

/// The workers' side of webhooks: which endpoint to serve, its next delivery, the outcome.
///
/// One daemon at a time serves an endpoint: it holds the endpoint's lease (`lease_holder`,
/// `lease_until`), renewed at every delivery; a daemon that dies loses it when it runs
/// out, and another takes the endpoint over. An endpoint's deliveries go out one at a
/// time in cursor order: the next one is always its pending delivery of lowest cursor,
/// and after a failure the endpoint waits (`retry_at`) before that same delivery is tried
/// again. Every attempt is counted before it is sent, so a daemon killed mid-delivery
/// leaves an attempt on record, and the next one carries the same `webhook-id` and body.
public struct WebhookDeliveryQueue: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// An endpoint leased to this daemon.
    public struct Endpoint: Sendable, Equatable {
        public var id: Int
        public var url: String
        public var secret: String
        public var entityID: Int?
    }

    /// A delivery about to be attempted.
    public struct Attempt: Sendable, Equatable {
        public var deliveryID: Int
        public var eventID: String
        public var body: [UInt8]
        public var attempt: Int
        /// When the first attempt was made: the retry window runs from here.
        public var firstAttemptAt: Date
    }

    /// Leases up to `limit` endpoints that have a pending delivery and are not waiting
    /// out a failure, nor leased by a live daemon.
    public func claim(holder: String, lease: Duration, limit: Int) async throws -> [Endpoint] {
        try await connection.query(
            """
            UPDATE central.webhooks w SET lease_holder = \(holder),
                lease_until = now() + \(lease.seconds) * interval '1 second'
            WHERE w.id IN (
                SELECT c.id FROM central.webhooks c
                WHERE c.disabled_at IS NULL AND (c.lease_until IS NULL OR c.lease_until < now())
                  AND (c.retry_at IS NULL OR c.retry_at <= now())
                  AND c.id IN (SELECT d.webhook_id FROM central.webhook_deliveries d WHERE d.status = 'pending')
                ORDER BY c.id LIMIT \(limit)
                FOR UPDATE SKIP LOCKED)
            RETURNING w.id, w.url, w.secret, w.entity_id
            """
        ).map {
            Endpoint(
                id: try $0.decode(Int.self, "id"), url: try $0.decode(String.self, "url"),
                secret: try $0.decode(String.self, "secret"), entityID: try $0.decode(Int?.self, "entity_id"))
        }
    }

    /// The endpoint's next delivery, its attempt recorded; `nil` when it has none, or
    /// this daemon no longer holds the endpoint's lease (which it then gives back). The
    /// body is fixed at the first attempt, from the feed row; a delivery whose row was
    /// pruned before it could be sent is marked failed and skipped.
    public func next(for endpoint: Endpoint, holder: String, lease: Duration) async throws -> Attempt? {
        while true {
            let held = try await connection.query(
                """
                UPDATE central.webhooks SET lease_until = now() + \(lease.seconds) * interval '1 second'
                WHERE id = \(endpoint.id) AND lease_holder = \(holder) AND disabled_at IS NULL
                  AND (retry_at IS NULL OR retry_at <= now())
                """
            ).affectedRows
            guard held == 1 else { return nil }
            guard
                let head = try await connection.query(
                    """
                    SELECT id, entity_id, cursor, body, attempts, first_attempt_at FROM central.webhook_deliveries
                    WHERE webhook_id = \(endpoint.id) AND status = 'pending'
                    ORDER BY cursor LIMIT 1 FOR UPDATE
                    """
                ).first
            else {
                try await release(endpoint, holder: holder)
                return nil
            }
            let id = try head.decode(Int.self, "id")
            let entityID = try head.decode(Int?.self, "entity_id")
            let cursor = try head.decode(Int.self, "cursor")
            var body = try head.decode(String?.self, "body")
            if body == nil {
                body = try await self.body(entityID: entityID, cursor: cursor)
            }
            guard let body else {
                try await connection.query(
                    """
                    UPDATE central.webhook_deliveries SET status = 'failed',
                        last_error = 'the row was pruned from its feed before it could be sent'
                    WHERE id = \(id)
                    """)
                continue
            }
            let row = try await connection.query(
                """
                UPDATE central.webhook_deliveries SET attempts = attempts + 1, body = \(body),
                    first_attempt_at = coalesce(first_attempt_at, now())
                WHERE id = \(id) RETURNING attempts, first_attempt_at
                """)[0]
            return Attempt(
                deliveryID: id, eventID: WebhookDelivery.eventID(entityID: entityID, cursor: cursor), body: Array(body.utf8),
                attempt: try row.decode(Int.self, "attempts"), firstAttemptAt: try row.decode(Date.self, "first_attempt_at"))
        }
    }

    /// `{"type": kind, "data": item}`, the item as the feed's API shows it; `nil` when
    /// the row is gone.
    func body(entityID: Int?, cursor: Int) async throws -> String? {
        let item: (kind: String, json: JSONValue)?
        if let entityID {
            item = try await connection.query(
                "SELECT \(NotificationFeed.columns) FROM local.notifications WHERE entity_id = \(entityID) AND cursor = \(cursor)"
            ).first.map(NotificationFeed.decode).map { ($0.kind.rawValue, $0.json) }
        } else {
            item = try await connection.query(
                "SELECT \(EventFeed.columns) FROM central.events e WHERE e.cursor = \(cursor)"
            ).first.map(EventFeed.decode).map { ($0.kind.rawValue, $0.json) }
        }
        guard let item else { return nil }
        return String(decoding: JSONValue.object(["type": .string(item.kind), "data": item.json]).serialized, as: UTF8.self)
    }

    /// The receiver answered 2xx.
    public func delivered(_ attempt: Attempt, statusCode: Int) async throws {
        try await connection.query(
            """
            UPDATE central.webhook_deliveries SET status = 'delivered', delivered_at = now(),
                last_status_code = \(statusCode), last_error = NULL
            WHERE id = \(attempt.deliveryID) AND status = 'pending'
            """)
    }

    /// The attempt failed. Within the retry window the endpoint waits `retryAfter` and
    /// the same delivery is tried again; past it the delivery fails, the endpoint is
    /// disabled and a `webhook_disabled` event is recorded. Returns whether it was disabled.
    public func failed(
        _ attempt: Attempt, endpoint: Endpoint, holder: String, statusCode: Int?, error: String,
        retryAfter: Duration, window: Duration
    ) async throws -> Bool {
        let giveUp = Date().timeIntervalSince(attempt.firstAttemptAt) + retryAfter.seconds > window.seconds
        try await connection.query(
            """
            UPDATE central.webhook_deliveries SET last_status_code = \(statusCode), last_error = \(String(error.prefix(500))),
                status = CASE WHEN \(giveUp) THEN 'failed' ELSE 'pending' END,
                next_attempt_at = now() + \(retryAfter.seconds) * interval '1 second'
            WHERE id = \(attempt.deliveryID) AND status = 'pending'
            """)
        guard giveUp else {
            try await connection.query(
                """
                UPDATE central.webhooks SET retry_at = now() + \(retryAfter.seconds) * interval '1 second',
                    lease_holder = NULL, lease_until = NULL
                WHERE id = \(endpoint.id) AND lease_holder = \(holder)
                """)
            return false
        }
        let reason = "deliveries failed for \(Int(window.seconds)) s; last: \(error.prefix(200))"
        let disabled = try await connection.query(
            """
            UPDATE central.webhooks SET disabled_at = now(), disabled_reason = \(reason),
                lease_holder = NULL, lease_until = NULL, retry_at = NULL
            WHERE id = \(endpoint.id) AND disabled_at IS NULL
            """
        ).affectedRows
        if disabled > 0 {
            var entity: String?
            if let entityID = endpoint.entityID {
                entity = try await connection.query("SELECT code FROM central.entities WHERE id = \(entityID)")
                    .first?.decode(String.self, "code")
            }
            try await EventWriter(connection: connection).record(
                .webhookDisabled, entity: entity, comment: "webhook \(endpoint.id) (\(endpoint.url)): \(reason)",
                eventKey: "webhook_disabled:\(endpoint.id):\(attempt.deliveryID):\(attempt.attempt)")
        }
        return true
    }

    /// Gives the endpoint's lease back.
    public func release(_ endpoint: Endpoint, holder: String) async throws {
        try await connection.query(
            """
            UPDATE central.webhooks SET lease_holder = NULL, lease_until = NULL
            WHERE id = \(endpoint.id) AND lease_holder = \(holder)
            """)
    }
}

extension StoreTransaction {
    public var webhookDeliveries: WebhookDeliveryQueue { WebhookDeliveryQueue(connection: connection) }
}

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

    /// One endpoint's turn in ``advance(_:holder:lease:)``: the outcome of its last
    /// delivery (a 2xx), if any, and the wish for its next.
    public struct Advance: Sendable {
        public var endpoint: Endpoint
        public var delivered: (deliveryID: Int, statusCode: Int)?

        public init(endpoint: Endpoint, delivered: (deliveryID: Int, statusCode: Int)? = nil) {
            self.endpoint = endpoint
            self.delivered = delivered
        }
    }

    /// For each endpoint, in order: records its last delivery delivered, then returns its
    /// next delivery with the attempt recorded; `nil` when it has none (its lease is then
    /// given back), or when this daemon no longer holds its lease. The body is fixed at
    /// the first attempt, from the feed row; a delivery whose row was pruned before it
    /// could be sent is marked failed (the endpoint is then given back, to be claimed again).
    ///
    /// Many endpoints in one transaction, with a fixed number of statements: the commit
    /// (a WAL flush, the cost that bounds deliveries per second) is shared by them all.
    public func advance(_ requests: [Advance], holder: String, lease: Duration) async throws -> [Attempt?] {
        guard !requests.isEmpty else { return [] }
        let finished = requests.compactMap(\.delivered)
        if !finished.isEmpty {
            try await connection.query(
                """
                UPDATE central.webhook_deliveries d SET status = 'delivered', delivered_at = now(),
                    last_status_code = p.code, last_error = NULL
                FROM unnest(\(finished.map(\.deliveryID))::bigint[], \(finished.map(\.statusCode))::int[]) AS p (id, code)
                WHERE d.id = p.id AND d.status = 'pending'
                """)
        }
        // Each endpoint still held keeps its lease while it has a pending delivery and
        // gives it back when it has none; the heads come with their feed rows.
        let rows = try await connection.query(
            """
            WITH wanted AS (
                SELECT r.id, r.n, EXISTS (
                        SELECT 1 FROM central.webhook_deliveries d WHERE d.webhook_id = r.id AND d.status = 'pending') AS pending
                FROM unnest(\(requests.map(\.endpoint.id))::bigint[]) WITH ORDINALITY AS r (id, n)
            ), held AS (
                UPDATE central.webhooks w
                SET lease_holder = CASE WHEN wanted.pending THEN w.lease_holder END,
                    lease_until = CASE WHEN wanted.pending THEN now() + \(lease.seconds) * interval '1 second' END
                FROM wanted
                WHERE w.id = wanted.id AND w.lease_holder = \(holder) AND w.disabled_at IS NULL
                  AND (w.retry_at IS NULL OR w.retry_at <= now())
                RETURNING wanted.n, w.id, wanted.pending
            )
            SELECT held.n AS request, d.id AS delivery_id, d.entity_id AS delivery_entity, d.cursor AS delivery_cursor,
                d.body AS delivery_body, f.*
            FROM held
            CROSS JOIN LATERAL (
                SELECT * FROM central.webhook_deliveries
                WHERE webhook_id = held.id AND status = 'pending' ORDER BY cursor LIMIT 1) AS d
            LEFT JOIN LATERAL (
                SELECT n.cursor, n.entity_id, n.kind, n.package_id, n.order_id, n.revision, n.comment, n.created_at,
                    NULL::text AS entity, NULL::text AS operator
                FROM local.notifications n
                WHERE d.body IS NULL AND d.entity_id IS NOT NULL AND n.entity_id = d.entity_id AND n.cursor = d.cursor
                UNION ALL
                SELECT e.cursor, NULL, e.kind, e.package_id, e.order_id, NULL, e.comment, e.created_at, e.entity, e.operator
                FROM central.events e
                WHERE d.body IS NULL AND d.entity_id IS NULL AND e.cursor = d.cursor) AS f ON true
            WHERE held.pending
            """)
        var heads: [(request: Int, id: Int, entityID: Int?, cursor: Int, body: String)] = []
        var pruned: [(request: Int, id: Int)] = []
        for row in rows {
            let request = try row.decode(Int.self, "request") - 1
            let id = try row.decode(Int.self, "delivery_id")
            let entityID = try row.decode(Int?.self, "delivery_entity")
            var body = try row.decode(String?.self, "delivery_body")
            if body == nil, try row.decode(String?.self, "kind") != nil {
                body = try Self.body(of: row, entityID: entityID)
            }
            if let body {
                heads.append((request, id, entityID, try row.decode(Int.self, "delivery_cursor"), body))
            } else {
                pruned.append((request, id))
            }
        }
        if !pruned.isEmpty {
            try await connection.query(
                """
                UPDATE central.webhook_deliveries SET status = 'failed',
                    last_error = 'the row was pruned from its feed before it could be sent'
                WHERE id = ANY(\(pruned.map(\.id))::bigint[]) AND status = 'pending'
                """)
            try await connection.query(
                """
                UPDATE central.webhooks SET lease_holder = NULL, lease_until = NULL
                WHERE id = ANY(\(pruned.map { requests[$0.request].endpoint.id })::bigint[]) AND lease_holder = \(holder)
                """)
        }
        var answers = [Attempt?](repeating: nil, count: requests.count)
        guard !heads.isEmpty else { return answers }
        // Counted before they are sent.
        let counted = try await connection.query(
            """
            UPDATE central.webhook_deliveries d SET attempts = d.attempts + 1, body = coalesce(d.body, p.body),
                first_attempt_at = coalesce(d.first_attempt_at, now())
            FROM unnest(\(heads.map(\.id))::bigint[], \(heads.map(\.body))::text[]) AS p (id, body)
            WHERE d.id = p.id AND d.status = 'pending'
            RETURNING d.id, d.attempts, d.first_attempt_at, d.body
            """)
        var byID: [Int: PostgresRow] = [:]
        for row in counted { byID[try row.decode(Int.self, "id")] = row }
        for head in heads {
            guard let row = byID[head.id] else { continue }
            answers[head.request] = Attempt(
                deliveryID: head.id, eventID: WebhookDelivery.eventID(entityID: head.entityID, cursor: head.cursor),
                body: Array(try row.decode(String.self, "body").utf8), attempt: try row.decode(Int.self, "attempts"),
                firstAttemptAt: try row.decode(Date.self, "first_attempt_at"))
        }
        return answers
    }

    /// `{"type": kind, "data": item}` of a feed row read by ``advance(_:holder:lease:)``,
    /// the item as the feed's API shows it.
    static func body(of row: PostgresRow, entityID: Int?) throws -> String {
        let item: (kind: String, json: JSONValue)
        if entityID != nil {
            let notification = try NotificationFeed.decode(row)
            item = (notification.kind.rawValue, notification.json)
        } else {
            let event = try EventFeed.decode(row)
            item = (event.kind.rawValue, event.json)
        }
        return String(decoding: JSONValue.object(["type": .string(item.kind), "data": item.json]).serialized, as: UTF8.self)
    }

    /// The receiver answered 2xx (when the next delivery is not wanted: see ``advance(_:holder:lease:)``).
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

/// Advances the endpoints one daemon serves in shared transactions: each endpoint's task
/// asks for its next delivery (after recording its last one delivered); requests that
/// arrive while a transaction runs go together into the next (a group commit, with no
/// timer: a lone request runs at once). See ``WebhookDeliveryQueue/advance(_:holder:lease:)``.
public final class WebhookAdvancer: Sendable {
    private let coalescer: Coalescer<WebhookDeliveryQueue.Advance, WebhookDeliveryQueue.Attempt?>

    /// - Parameter batch: the most endpoints one transaction advances.
    public init(store: Store, holder: String, lease: Duration, batch: Int) {
        coalescer = Coalescer(concurrency: 2, batch: batch) { take in
            try await store.transaction { transaction in
                try await transaction.webhookDeliveries.advance(take(), holder: holder, lease: lease)
            }
        }
    }

    public func advance(
        _ endpoint: WebhookDeliveryQueue.Endpoint, delivered: (deliveryID: Int, statusCode: Int)? = nil
    ) async throws -> WebhookDeliveryQueue.Attempt? {
        try await coalescer.answer(WebhookDeliveryQueue.Advance(endpoint: endpoint, delivered: delivered))
    }
}

import Domain
import Foundation
import Postgres

/// An endpoint that receives an entity's notifications, or the central events.
public struct Webhook: Sendable, Equatable {
    public var id: Int
    /// The entity whose notifications it receives; `nil`: the central events.
    public var entityID: Int?
    public var url: String
    /// The kinds it receives; empty: every kind.
    public var kinds: [String]
    public var createdBy: String
    public var createdAt: Date
    public var disabledAt: Date?
    public var disabledReason: String?
}

/// One feed row to send to one endpoint, however many attempts it takes.
public struct WebhookDelivery: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case pending, delivered, failed
    }

    public var id: Int
    public var webhookID: Int
    public var entityID: Int?
    public var cursor: Int
    public var kind: String
    public var status: Status
    public var attempts: Int
    public var lastStatusCode: Int?
    public var lastError: String?
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var createdAt: Date

    /// The `webhook-id` of every attempt: names the feed row, so it is the same for every
    /// attempt and every endpoint.
    public var eventID: String { Self.eventID(entityID: entityID, cursor: cursor) }

    static func eventID(entityID: Int?, cursor: Int) -> String {
        entityID.map { "notification_\($0)_\(cursor)" } ?? "event_\(cursor)"
    }
}

/// Registering, reading and removing webhook endpoints, and their delivery log.
/// (Sending is the workers' job: ``WebhookDeliveryQueue``.)
public struct WebhookRepository: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Base of the advisory locks that serialize one owner's registrations (plus its entity id).
    static let registrationLockKey = 7_311_447_302_201_500_000

    /// Endpoints one owner may register.
    public static let maximumPerOwner = 20

    static let columns: PostgresQuery =
        "id, entity_id, url, kinds, created_by, created_at, disabled_at, disabled_reason"
    static let deliveryColumns: PostgresQuery =
        """
        id, webhook_id, entity_id, cursor, kind, status, attempts, last_status_code, last_error,
        next_attempt_at, delivered_at, created_at
        """

    /// Registers an endpoint for `owner` (an entity id, or `nil` for the central events)
    /// and returns it with its signing secret, which is never shown again. The URL must
    /// already be checked (scheme, host, address policy); the kinds are checked here.
    public func create(owner: Int?, url: String, kinds: [String], by actor: Principal) async throws -> (Webhook, secret: String) {
        let known = owner == nil ? EventKind.allCases.map(\.rawValue) : NotificationKind.allCases.map(\.rawValue)
        var problems: [FieldProblem] = []
        for (index, kind) in kinds.enumerated() where !known.contains(kind) {
            problems.append(
                FieldProblem(field: "kinds.\(index)", message: "must be one of \(known.joined(separator: ", "))"))
        }
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
        // Serializes registrations of one owner, so the count below holds.
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.registrationLockKey + (owner ?? 0)))")
        let count = try await connection.query(
            "SELECT count(*) AS n FROM central.webhooks WHERE entity_id IS NOT DISTINCT FROM \(owner)"
        )[0].decode(Int.self, "n")
        guard count < Self.maximumPerOwner else {
            throw StoreError.conflict(
                code: "too_many_webhooks", message: "at most \(Self.maximumPerOwner) webhook endpoints may be registered")
        }
        let secret = Self.generateSecret()
        let rows = try await connection.query(
            """
            INSERT INTO central.webhooks (entity_id, url, kinds, secret, created_by)
            VALUES (\(owner), \(url), \(Array(Set(kinds)).sorted()), \(secret), \(actor.actorName))
            RETURNING \(Self.columns)
            """)
        let webhook = try Self.decode(rows[0])
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "create", subject: "webhook", subjectID: webhook.id, entityID: owner,
            after: .object(["url": .string(url), "kinds": .array(webhook.kinds.map(JSONValue.string))]))
        return (webhook, secret)
    }

    /// `whsec_` and 32 random bytes in base64: the Standard Webhooks form of a secret (the
    /// HMAC key is the decoded bytes).
    static func generateSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// The owner's endpoints, newest first.
    public func list(owner: Int?) async throws -> [Webhook] {
        try await connection.query(
            "SELECT \(Self.columns) FROM central.webhooks WHERE entity_id IS NOT DISTINCT FROM \(owner) ORDER BY id DESC"
        ).map(Self.decode)
    }

    /// One of the owner's endpoints; another owner's is not found.
    public func require(_ id: Int, owner: Int?) async throws -> Webhook {
        guard
            let row = try await connection.query(
                "SELECT \(Self.columns) FROM central.webhooks WHERE id = \(id) AND entity_id IS NOT DISTINCT FROM \(owner)"
            ).first
        else { throw StoreError.notFound("webhook \(id)") }
        return try Self.decode(row)
    }

    /// Removes an endpoint and its delivery log; what was not delivered is not sent.
    public func delete(_ id: Int, owner: Int?, by actor: Principal) async throws {
        let webhook = try await require(id, owner: owner)
        try await connection.query("DELETE FROM central.webhooks WHERE id = \(id)")
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "delete", subject: "webhook", subjectID: id, entityID: webhook.entityID,
            before: .object(["url": .string(webhook.url)]))
    }

    /// The endpoint's deliveries, newest first, ids below `cursor`.
    public func deliveries(of webhookID: Int, before cursor: Int?, limit: Int) async throws -> [WebhookDelivery] {
        try await connection.query(
            """
            SELECT \(Self.deliveryColumns) FROM central.webhook_deliveries
            WHERE webhook_id = \(webhookID) AND (\(cursor) IS NULL OR id < \(cursor))
            ORDER BY id DESC LIMIT \(limit)
            """
        ).map(Self.decodeDelivery)
    }

    /// Sends a delivery again (whatever its status), with the same `webhook-id` and body,
    /// after the endpoint's earlier pending deliveries. A disabled endpoint is enabled
    /// again: redelivering is how an operator says the receiver is back. Its retry window
    /// starts again.
    public func redeliver(_ deliveryID: Int, of webhookID: Int, by actor: Principal) async throws -> WebhookDelivery {
        let rows = try await connection.query(
            """
            UPDATE central.webhook_deliveries SET status = 'pending', next_attempt_at = now(), first_attempt_at = NULL,
                delivered_at = NULL
            WHERE id = \(deliveryID) AND webhook_id = \(webhookID)
            RETURNING \(Self.deliveryColumns)
            """)
        guard let row = rows.first else { throw StoreError.notFound("delivery \(deliveryID)") }
        try await connection.query(
            """
            UPDATE central.webhooks SET disabled_at = NULL, disabled_reason = NULL, retry_at = NULL
            WHERE id = \(webhookID)
            """)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "redeliver", subject: "webhook", subjectID: webhookID,
            after: .object(["delivery_id": .id(deliveryID)]))
        try await connection.notify(channel: WebhookOutbox.wakeChannel, payload: "")
        return try Self.decodeDelivery(row)
    }

    /// Deletes, in one batch, delivered and failed deliveries older than `retention`.
    public func pruneDeliveries(retention: Duration, batch: Int) async throws -> Int {
        try await connection.query(
            """
            DELETE FROM central.webhook_deliveries WHERE id IN (
                SELECT id FROM central.webhook_deliveries
                WHERE status <> 'pending' AND created_at < now() - \(retention.seconds) * interval '1 second'
                LIMIT \(batch))
            """
        ).affectedRows
    }

    static func decode(_ row: PostgresRow) throws -> Webhook {
        Webhook(
            id: try row.decode(Int.self, "id"), entityID: try row.decode(Int?.self, "entity_id"),
            url: try row.decode(String.self, "url"), kinds: try row.decode([String].self, "kinds"),
            createdBy: try row.decode(String.self, "created_by"), createdAt: try row.decode(Date.self, "created_at"),
            disabledAt: try row.decode(Date?.self, "disabled_at"),
            disabledReason: try row.decode(String?.self, "disabled_reason"))
    }

    static func decodeDelivery(_ row: PostgresRow) throws -> WebhookDelivery {
        let status = try row.decode(String.self, "status")
        return WebhookDelivery(
            id: try row.decode(Int.self, "id"), webhookID: try row.decode(Int.self, "webhook_id"),
            entityID: try row.decode(Int?.self, "entity_id"), cursor: try row.decode(Int.self, "cursor"),
            kind: try row.decode(String.self, "kind"),
            status: WebhookDelivery.Status(rawValue: status) ?? .pending, attempts: try row.decode(Int.self, "attempts"),
            lastStatusCode: try row.decode(Int?.self, "last_status_code"), lastError: try row.decode(String?.self, "last_error"),
            nextAttemptAt: status == "pending" ? try row.decode(Date?.self, "next_attempt_at") : nil,
            deliveredAt: try row.decode(Date?.self, "delivered_at"), createdAt: try row.decode(Date.self, "created_at"))
    }
}

extension StoreTransaction {
    public var webhooks: WebhookRepository { WebhookRepository(connection: connection) }
}

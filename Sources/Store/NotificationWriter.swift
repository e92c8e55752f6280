import CoreMetrics
import Domain
import Postgres

/// Writes notification rows (`local.notifications`) in the caller's transaction.
///
/// Cursors must follow commit order (see migrations/0007): every write first takes the
/// feed's transaction-level advisory lock, held until commit. Call these methods as the
/// last step of a transaction, so the lock is held as briefly as possible.
public struct NotificationWriter: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Key of the advisory lock that orders the feed.
    static let feedLockKey = 7_311_447_302_201_415_002
    public static var wakeChannel: String { NotificationFeed.wakeChannel }

    /// Rows written, by kind, created once. (Counted when the statement runs: rows of a
    /// transaction that then rolls back are counted all the same.)
    static let writtenCounters: [NotificationKind: Counter] = Dictionary(
        uniqueKeysWithValues: NotificationKind.allCases.map {
            ($0, Counter(label: "campaignd_notifications_written_total", dimensions: [("kind", $0.rawValue)]))
        })

    static func written(_ kind: NotificationKind) -> Counter {
        writtenCounters[kind] ?? Counter(label: "campaignd_notifications_written_total", dimensions: [("kind", kind.rawValue)])
    }

    /// One row for one entity. Returns the rows written (0 when this event was already written).
    @discardableResult
    public func notify(
        entityID: Int, kind: NotificationKind, packageID: Int?, orderID: Int?, revision: Int?, comment: String?,
        eventKey: String
    ) async throws -> Int {
        try await write(
            entities: "SELECT \(entityID)::bigint AS entity_id", kind: kind, packageID: packageID, orderID: orderID,
            revision: revision, comment: comment, eventKey: eventKey)
    }

    /// One row per entity of the package's audience (frozen at publication, or every entity).
    @discardableResult
    public func notifyAudience(of package: CampaignPackage, kind: NotificationKind, comment: String?, eventKey: String)
        async throws -> Int
    {
        try await write(
            entities: PackageRepository.audienceEntities(of: package), kind: kind, packageID: package.id, orderID: nil, revision: package.revision,
            comment: comment, eventKey: eventKey)
    }

    /// One row per entity concerned by the package, once each: its audience (frozen at
    /// publication, or every entity) and whoever ordered its current revision.
    @discardableResult
    public func notifyConcerned(by package: CampaignPackage, kind: NotificationKind, comment: String?, eventKey: String)
        async throws -> Int
    {
        try await write(
            entities: """
                \(PackageRepository.audienceEntities(of: package))
                UNION SELECT entity_id FROM local.orders WHERE package_id = \(package.id) AND revision = \(package.revision)
                """,
            kind: kind, packageID: package.id, orderID: nil, revision: package.revision, comment: comment,
            eventKey: eventKey)
    }

    /// One row per entity that `entities` selects (a query with an `entity_id` column),
    /// as one `INSERT … SELECT`; entities that already have this event are skipped.
    @discardableResult
    public func write(
        entities: PostgresQuery, kind: NotificationKind, packageID: Int?, orderID: Int?, revision: Int?,
        comment: String?, eventKey: String
    ) async throws -> Int {
        try await insert(
            """
            INSERT INTO local.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
            SELECT DISTINCT target.entity_id, \(kind.rawValue), \(packageID), \(orderID), \(revision), \(comment), \(eventKey)
            FROM (\(entities)) AS target
            ORDER BY target.entity_id
            ON CONFLICT (entity_id, event_key) DO NOTHING
            """, kind: kind)
    }

    /// Runs an `INSERT` of notification rows of `kind` under the feed's lock (held until
    /// commit), queues their webhook deliveries in the same statement (the outbox,
    /// ``WebhookOutbox``), wakes the long polls when it wrote any, and counts them.
    /// Returns the rows written.
    private func insert(_ statement: PostgresQuery, kind: NotificationKind) async throws -> Int {
        try await connection.query("SELECT pg_advisory_xact_lock(\(Self.feedLockKey))")
        let written = try await WebhookOutbox(connection: connection).insert(
            statement, into: .notifications)
        if written > 0 {
            try await connection.notify(channel: Self.wakeChannel, payload: kind.rawValue)
            Self.written(kind).increment(by: written)
        }
        return written
    }
}

extension NotificationWriter {
    /// One row per order (`kind` about that order, to its entity), as one statement over
    /// arrays; orders already told of this event are skipped.
    @discardableResult
    public func notifyOrders(
        kind: NotificationKind, entityIDs: [Int], orderIDs: [Int], packageIDs: [Int], revisions: [Int], comment: String?
    ) async throws -> Int {
        try await insert(
            """
            INSERT INTO local.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
            SELECT t.entity_id, \(kind.rawValue), t.package_id, t.order_id, t.revision::integer, \(comment),
                   \(kind.rawValue) || ':' || t.order_id
            FROM unnest(\(entityIDs), \(orderIDs), \(packageIDs), \(revisions)) AS t (entity_id, order_id, package_id, revision)
            ORDER BY t.entity_id, t.order_id
            ON CONFLICT (entity_id, event_key) DO NOTHING
            """, kind: kind)
    }

    /// `order_cancelled` to the entity of every order of the package that a package
    /// action cancelled with `reason` (of `revision`, or of any revision when `nil`).
    /// Orders already notified are skipped, so a rerun writes nothing twice.
    public func notifyCancelledOrders(packageID: Int, revision: Int?, reason: OrderCancelReason, comment: String?)
        async throws -> Int
    {
        let kind = NotificationKind.orderCancelled
        return try await insert(
            """
            INSERT INTO local.notifications (entity_id, kind, package_id, order_id, revision, comment, event_key)
            SELECT o.entity_id, \(kind.rawValue), o.package_id, o.id, o.revision, \(comment), \(kind.rawValue) || ':' || o.id
            FROM local.orders o
            WHERE o.package_id = \(packageID) AND o.cancel_reason = \(reason.rawValue)
              AND (\(revision) IS NULL OR o.revision = \(revision))
            ORDER BY o.entity_id, o.id
            ON CONFLICT (entity_id, event_key) DO NOTHING
            """, kind: kind)
    }
}

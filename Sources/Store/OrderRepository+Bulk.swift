import Domain
import Foundation
import Postgres

/// The orders an action takes: named by id, or every order matching a filter.
public enum OrderSelection: Sendable, Equatable {
    case ids([Int])
    case filter(OrderFilter)
}

/// An order an action left alone, and why.
public struct SkippedOrder: Sendable, Equatable {
    public var orderID: Int
    /// Its status when the action ran; `nil` when no such order is visible.
    public var status: OrderStatus?
    public var reason: String
}

/// What an action over several orders did.
public struct OrderActionOutcome: Sendable, Equatable {
    public var changed: Int
    public var skipped: [SkippedOrder]

    /// The finished `bulk_orders` job's `result`.
    public var json: JSONValue {
        .object([
            "changed": .number(JSONNumber(changed)),
            "skipped": .array(
                skipped.map { skipped in
                    .object([
                        "order_id": .string(String(skipped.orderID)), "reason": .string(skipped.reason),
                        "status": skipped.status.map { .string($0.rawValue) } ?? .null,
                    ])
                }),
        ])
    }
}

extension OrderRepository {
    /// Approves, rejects or cancels the selected orders, set-based: each order the
    /// transition table (``OrderStatus/applying(_:by:)``) allows is changed once, with its
    /// journal entry, its local campaign (an approved order of a local package) and its
    /// entity's notification; the others are reported with the table's reason. Orders are
    /// locked in key order, so two actions over the same orders wait for each other
    /// instead of deadlocking. The one implementation of these effects: the single-order
    /// actions come here too.
    public func apply(_ action: OrderAction, to selection: OrderSelection, comment: String?, by actor: Principal)
        async throws -> OrderActionOutcome
    {
        precondition(action != .edit, "an edit changes one order's fields: see edit(_:_:expectedVersion:by:)")
        let role = actor.role
        let moves = OrderStatus.allCases.compactMap { from in
            (try? from.applying(action, by: role).get()).map { (from: from, to: $0) }
        }
        guard !moves.isEmpty else { return OrderActionOutcome(changed: 0, skipped: []) }
        let newStatus = PostgresQuery.joined(
            moves.map { "WHEN \($0.from.rawValue) THEN \($0.to.rawValue)" }, separator: " ")
        let effect: PostgresQuery =
            switch action {
            case .approve, .reject:
                "decided_at = now(), decided_by = \(actor.actorName), decision_comment = \(comment),"
            case .cancel, .edit:
                """
                cancelled_at = now(), cancelled_by = \(actor.actorName), cancel_comment = \(comment),
                cancel_reason = \((role == .central ? OrderCancelReason.cancelledByCentral : .cancelledByEntity).rawValue),
                """
            }
        let selected = Self.condition(selection, visibleTo: actor)
        let rows = try await connection.query(
            """
            WITH target AS (
                SELECT o.entity_id, o.id, o.status FROM local.orders o
                WHERE \(selected) AND o.status = ANY(\(moves.map(\.from.rawValue)))
                ORDER BY o.entity_id, o.id
                FOR UPDATE
            ), changed AS (
                UPDATE local.orders o SET status = CASE target.status \(newStatus) END, \(effect)
                    version = o.version + 1, updated_at = now(), updated_by = \(actor.actorName)
                FROM target WHERE o.entity_id = target.entity_id AND o.id = target.id
                RETURNING o.entity_id, o.id, o.package_id, o.revision, o.label, o.version, o.status,
                          target.status AS before_status
            ), journal AS (
                INSERT INTO central.audit_journal (actor, action, subject, subject_id, package_id, entity_id, comment, before, after)
                SELECT \(actor.actorName), \(action.rawValue), 'order', c.id, c.package_id, c.entity_id, \(comment),
                       jsonb_build_object('status', c.before_status, 'version', c.version - 1, 'label', c.label, 'revision', c.revision),
                       jsonb_build_object('status', c.status, 'version', c.version, 'label', c.label, 'revision', c.revision)
                FROM changed c ORDER BY c.entity_id, c.id
            ), campaigns AS (
                INSERT INTO local.local_campaigns (entity_id, order_id, package_id, revision, name, folder)
                SELECT c.entity_id, c.id, c.package_id, c.revision, p.campaign_name, p.campaign_folder
                FROM changed c JOIN central.packages p ON p.id = c.package_id
                WHERE c.status = \(OrderStatus.approved.rawValue) AND p.type = \(PackageType.local.rawValue)
                ORDER BY c.entity_id, c.id
                ON CONFLICT (entity_id, order_id) DO NOTHING
            )
            SELECT true AS changed, entity_id, id, package_id, revision, status FROM changed
            UNION ALL
            SELECT false, o.entity_id, o.id, o.package_id, o.revision, o.status FROM local.orders o
            WHERE \(selected) AND o.status <> ALL(\(moves.map(\.from.rawValue)))
            """)
        var changed: [(entityID: Int, orderID: Int, packageID: Int, revision: Int)] = []
        var skipped: [SkippedOrder] = []
        for row in rows {
            let id = try row.decode(Int.self, "id")
            if try row.decode(Bool.self, "changed") {
                changed.append(
                    (try row.decode(Int.self, "entity_id"), id, try row.decode(Int.self, "package_id"),
                     try row.decode(Int.self, "revision")))
            } else {
                let status = try Self.status(row)
                skipped.append(SkippedOrder(orderID: id, status: status, reason: Self.whySkipped(status, action, role)))
            }
        }
        if case .ids(let ids) = selection {
            // Named but neither changed nor refused: unknown (or another entity's), or changed
            // by someone else between this statement's snapshot and its lock.
            let unseen = Set(ids).subtracting(changed.map(\.orderID)).subtracting(skipped.map(\.orderID)).sorted()
            var current: [Int: OrderStatus] = [:]
            if !unseen.isEmpty {
                for row in try await connection.query(
                    "SELECT o.id, o.status FROM local.orders o WHERE \(Self.condition(.ids(unseen), visibleTo: actor))")
                {
                    current[try row.decode(Int.self, "id")] = try Self.status(row)
                }
            }
            for id in unseen {
                skipped.append(SkippedOrder(orderID: id, status: current[id], reason: Self.whySkipped(current[id], action, role)))
            }
        }
        skipped.sort { $0.orderID < $1.orderID }

        // Last: notification writers take the feed's lock until commit.
        let kind: NotificationKind? =
            switch action {
            case .approve: .orderApproved
            case .reject: .orderRejected
            case .cancel: role == .central ? .orderCancelled : nil
            case .edit: nil
            }
        if let kind, !changed.isEmpty {
            try await NotificationWriter(connection: connection).notifyOrders(
                kind: kind, entityIDs: changed.map(\.entityID), orderIDs: changed.map(\.orderID),
                packageIDs: changed.map(\.packageID), revisions: changed.map(\.revision), comment: comment)
        }
        return OrderActionOutcome(changed: changed.count, skipped: skipped)
    }

    /// Why an order `action` did not change: the transition table's refusal for its
    /// status; an allowed status means it changed under the action; none, that no such
    /// order is visible.
    static func whySkipped(_ status: OrderStatus?, _ action: OrderAction, _ role: ActorRole) -> String {
        guard let status else { return "no such order" }
        if case .failure(let refusal) = status.applying(action, by: role) { return refusal.reason }
        return "it changed while the action ran; ask again"
    }

    /// The `status` column of a row, as the table's CHECK allows it.
    static func status(_ row: PostgresRow) throws -> OrderStatus {
        let text = try row.decode(String.self, "status")
        guard let status = OrderStatus(rawValue: text) else {
            throw PostgresError(code: .decoding, message: "unexpected value \(text)", column: "status")
        }
        return status
    }

    /// The SQL condition on `o` (an order row) of a selection, within what `actor` may see.
    static func condition(_ selection: OrderSelection, visibleTo actor: Principal) -> PostgresQuery {
        var conditions: [PostgresQuery] = []
        if let entityID = actor.entityID { conditions.append("o.entity_id = \(entityID)") }
        switch selection {
        case .ids(let ids):
            conditions.append("o.id = ANY(\(ids))")
        case .filter(let filter):
            conditions += Self.conditions(filter)
        }
        return conditions.isEmpty ? "true" : PostgresQuery.joined(conditions, separator: " AND ")
    }

    /// The SQL conditions on `o` (an order row) of a list filter.
    static func conditions(_ filter: OrderFilter) -> [PostgresQuery] {
        var conditions: [PostgresQuery] = []
        if let entityID = filter.entityID { conditions.append("o.entity_id = \(entityID)") }
        if let packageID = filter.packageID { conditions.append("o.package_id = \(packageID)") }
        if !filter.statuses.isEmpty { conditions.append("o.status = ANY(\(filter.statuses.map(\.rawValue)))") }
        return conditions
    }
}

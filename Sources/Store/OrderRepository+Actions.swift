import Domain
import Foundation
import Postgres

/// The changes a patch makes to an order.
public struct OrderChange: Sendable, Equatable {
    public var label: String?
    public var comment: String?
    public var parameters: [String: JSONValue]?

    public init(label: String? = nil, comment: String? = nil, parameters: [String: JSONValue]? = nil) {
        self.label = label
        self.comment = comment
        self.parameters = parameters
    }
}

extension OrderRepository {
    /// Edits an order (the entity while pending; the central entity while pending or approved).
    public func edit(_ id: Int, _ change: OrderChange, expectedVersion: Int?, by actor: Principal) async throws
        -> CampaignOrder
    {
        let before = try await lockForAction(id, expectedVersion: expectedVersion, by: actor)
        _ = try before.status.applying(.edit, by: actor.role).get()
        let label = change.label ?? before.label
        var problems = PackageRules.checkLabel(label, field: "label")
        problems += CommentRules.check(change.comment)
        // The order form of the order's revision (a later revision's form asks other things).
        let package = try await PackageRepository(connection: connection).require(before.packageID)
        if package.revision == before.revision {
            problems += package.orderForm.check(change.parameters ?? before.parameters)
        }
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
        try await connection.query(
            """
            UPDATE local.orders SET label = \(label), comment = \(change.comment ?? before.comment),
                parameters = \(JSONValue.object(change.parameters ?? before.parameters)),
                version = version + 1, updated_at = now(), updated_by = \(actor.actorName)
            WHERE entity_id = \(before.entityID) AND id = \(id)
            """)
        let after = try await require(id, visibleTo: actor)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "edit", subject: "order", subjectID: id, packageID: before.packageID,
            entityID: before.entityID, before: Self.snapshot(before), after: Self.snapshot(after))
        try await EventWriter(connection: connection).record(
            .orderEdited, packageID: before.packageID, orderID: id, entity: after.entityCode, operator: actor.actorName,
            comment: change.comment, eventKey: "\(EventKind.orderEdited.rawValue):\(id):\(after.version)")
        return after
    }

    /// Approves or rejects a pending order (central); the entity is notified.
    public func decide(_ id: Int, approve: Bool, comment: String?, by actor: Principal) async throws -> CampaignOrder {
        try await act(approve ? .approve : .reject, on: id, comment: comment, by: actor)
    }

    /// Cancels an order (central, or its own entity); a central cancel notifies the entity.
    public func cancel(_ id: Int, comment: String?, by actor: Principal) async throws -> CampaignOrder {
        try await act(.cancel, on: id, comment: comment, by: actor)
    }

    /// One order's approve, reject or cancel: refused with the transition table's reason
    /// when not allowed, else applied by the set-based ``apply(_:to:comment:by:)``.
    private func act(_ action: OrderAction, on id: Int, comment: String?, by actor: Principal) async throws
        -> CampaignOrder
    {
        let before = try await lockForAction(id, expectedVersion: nil, by: actor)
        _ = try before.status.applying(action, by: actor.role).get()
        _ = try await apply(action, to: .ids([id]), comment: comment, by: actor)
        return try await require(id, visibleTo: actor)
    }

    private func lockForAction(_ id: Int, expectedVersion: Int?, by actor: Principal) async throws -> CampaignOrder {
        let order = try await require(id, visibleTo: actor, lock: true)
        if let expectedVersion, expectedVersion != order.version {
            throw StoreError.staleVersion(current: order.version)
        }
        return order
    }

    /// The local campaign of an approved order of a local package (once per order).
    func createLocalCampaign(for order: CampaignOrder, package: CampaignPackage) async throws {
        try await connection.query(
            """
            INSERT INTO local.local_campaigns (entity_id, order_id, package_id, revision, name, folder)
            VALUES (\(order.entityID), \(order.id), \(package.id), \(order.revision), \(package.campaignName),
                    \(package.campaignFolder))
            ON CONFLICT (entity_id, order_id) DO NOTHING
            """)
    }

    static func decode(_ row: PostgresRow) throws -> CampaignOrder {
        let status = try Self.status(row)
        return CampaignOrder(
            id: try row.decode(Int.self, "id"), entityID: try row.decode(Int.self, "entity_id"),
            entityCode: try row.decode(String.self, "entity_code"), packageID: try row.decode(Int.self, "package_id"),
            revision: try row.decode(Int.self, "revision"), label: try row.decode(String.self, "label"),
            comment: try row.decode(String.self, "comment"),
            parameters: try row.decodeObject("parameters"), status: status,
            version: try row.decode(Int.self, "version"), createdAt: try row.decode(Date.self, "created_at"),
            createdBy: try row.decode(String.self, "created_by"), updatedAt: try row.decode(Date.self, "updated_at"),
            updatedBy: try row.decode(String.self, "updated_by"), decidedAt: try row.decode(Date?.self, "decided_at"),
            decidedBy: try row.decode(String?.self, "decided_by"),
            decisionComment: try row.decode(String?.self, "decision_comment"),
            cancelledAt: try row.decode(Date?.self, "cancelled_at"), cancelledBy: try row.decode(String?.self, "cancelled_by"),
            cancelComment: try row.decode(String?.self, "cancel_comment"),
            cancelReason: try row.decode(String?.self, "cancel_reason"))
    }
}

extension OrderRepository {
    /// Cancels, in one statement, the orders of the package in `revisions` whose status is
    /// one of `statuses`, for a package action (`reason`). Returns how many were cancelled.
    public func cancelAll(
        packageID: Int, revisions: ClosedRange<Int>, statuses: [OrderStatus], reason: OrderCancelReason,
        comment: String?, actor: String
    ) async throws -> Int {
        try await connection.query(
            """
            UPDATE local.orders SET status = \(OrderStatus.cancelled.rawValue), cancelled_at = now(), cancelled_by = \(actor),
                cancel_comment = \(comment), cancel_reason = \(reason.rawValue), version = version + 1,
                updated_at = now(), updated_by = \(actor)
            WHERE package_id = \(packageID) AND revision BETWEEN \(revisions.lowerBound) AND \(revisions.upperBound)
              AND status = ANY(\(statuses.map(\.rawValue)))
            """
        ).affectedRows
    }
}

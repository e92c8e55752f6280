import Domain
import Foundation
import Postgres

/// Filters of the orders view.
public struct OrderFilter: Sendable, Equatable {
    public var packageID: Int?
    public var entityID: Int?
    public var statuses: [OrderStatus] = []

    public init(packageID: Int? = nil, entityID: Int? = nil, statuses: [OrderStatus] = []) {
        self.packageID = packageID
        self.entityID = entityID
        self.statuses = statuses
    }
}

/// Orders (`local.orders`) and the local campaigns approved orders create.
public struct OrderRepository: Sendable {
    let connection: PostgresConnection

    static let columns: PostgresQuery =
        """
        o.id, o.entity_id, e.code AS entity_code, o.package_id, o.revision, o.label, o.comment, o.parameters,
        o.status, o.version, o.created_at, o.created_by, o.updated_at, o.updated_by, o.decided_at, o.decided_by,
        o.decision_comment, o.cancelled_at, o.cancelled_by, o.cancel_comment, o.cancel_reason
        """

    /// A local entity orders a published package it is in the audience of.
    public func create(
        packageID: Int, label: String, comment: String, parameters: [String: JSONValue], by actor: Principal,
        now: Date = Date()
    ) async throws -> CampaignOrder {
        guard case .local(let entityID, _, _) = actor else {
            throw StoreError.forbidden("only a local entity orders packages")
        }
        let entity = try await connection.query(
            "SELECT disabled_at IS NOT NULL AS disabled FROM central.entities WHERE id = \(entityID)")
        if try entity.first?.decode(Bool.self, "disabled") ?? true {
            throw StoreError.forbidden("this entity is disabled and cannot order")
        }
        var problems = PackageRules.checkLabel(label, field: "label")
        problems += CommentRules.check(comment)

        // A share lock: orders may be placed side by side, but not while a cancel or a
        // reinitialize (which lock the package for update) is applied.
        let rows = try await connection.query(
            "SELECT \(PackageRepository.columns) FROM central.packages p WHERE p.id = \(packageID) FOR SHARE OF p")
        guard let row = rows.first else { throw StoreError.notFound("package \(packageID)") }
        let package = try PackageRepository.decode(row)
        let packages = PackageRepository(connection: connection)
        let inAudience = try await packages.isInAudience(package, entityID: entityID)
        let existing = try await connection.query(
            """
            SELECT count(*) AS n FROM local.orders
            WHERE entity_id = \(entityID) AND package_id = \(packageID) AND revision = \(package.revision)
              AND status <> \(OrderStatus.cancelled.rawValue)
            """)[0].decode(Int.self, "n")
        if let refusal = OrderEligibility.check(
            status: package.status, hasPendingJob: package.pendingJobID != nil, schedule: package.schedule,
            inAudience: inAudience, existingOrders: existing, allowsSeveralOrders: package.allowsSeveralOrders, now: now)
        {
            // A package outside the entity's catalogue does not exist for it, whatever its state.
            if refusal.hidesThePackage { throw StoreError.notFound("package \(packageID)") }
            throw StoreError.conflict(code: refusal.rawValue, message: Self.message(for: refusal))
        }
        // Every problem at once: the label's, the comment's, each field of the order form's.
        problems += package.orderForm.check(parameters)
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
        let status = OrderStatus.initial(for: package.approvalMode)
        let inserted: PostgresRows
        do {
            inserted = try await connection.query(
                """
                INSERT INTO local.orders (entity_id, package_id, revision, label, comment, parameters, status, single,
                                          created_by, updated_by, decided_at, decided_by)
                VALUES (\(entityID), \(packageID), \(package.revision), \(label), \(comment), \(JSONValue.object(parameters)),
                        \(status.rawValue), \(!package.allowsSeveralOrders), \(actor.actorName), \(actor.actorName),
                        \(status == .approved ? now : nil), \(status == .approved ? "automatic" : nil))
                RETURNING id
                """)
        } catch let error as PostgresError where error.sqlState == PostgresError.SQLState.uniqueViolation {
            throw StoreError.conflict(code: "already_ordered", message: Self.message(for: .alreadyOrdered))
        }
        let id = try inserted[0].decode(Int.self, "id")
        let order = try await require(id, visibleTo: actor)
        if status == .approved, package.type == .local {
            try await createLocalCampaign(for: order, package: package)
        }
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "create", subject: "order", subjectID: id, packageID: packageID,
            entityID: entityID, comment: comment.isEmpty ? nil : comment, after: Self.snapshot(order))
        try await EventWriter(connection: connection).record(
            .orderPlaced, packageID: packageID, orderID: id, entity: order.entityCode, operator: actor.actorName,
            comment: comment.isEmpty ? nil : comment, eventKey: "\(EventKind.orderPlaced.rawValue):\(id)")
        return order
    }

    /// The order, if the principal may see it (its own entity's, or any for central).
    public func find(_ id: Int, visibleTo principal: Principal, lock: Bool = false) async throws -> CampaignOrder? {
        let entityCondition: PostgresQuery = principal.entityID.map { "AND o.entity_id = \($0)" } ?? ""
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM local.orders o JOIN central.entities e ON e.id = o.entity_id
            WHERE o.id = \(id) \(entityCondition) \(unsafeSQL: lock ? "FOR UPDATE OF o" : "")
            """)
        return try rows.first.map(Self.decode)
    }

    public func require(_ id: Int, visibleTo principal: Principal, lock: Bool = false) async throws -> CampaignOrder {
        guard let order = try await find(id, visibleTo: principal, lock: lock) else {
            throw StoreError.notFound("order \(id)")
        }
        return order
    }

    /// Orders matching `filter`, newest first, with ids below `cursor`.
    public func list(_ filter: OrderFilter, before cursor: Int?, limit: Int) async throws -> [CampaignOrder] {
        var conditions = Self.conditions(filter)
        if let cursor { conditions.append("o.id < \(cursor)") }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + PostgresQuery.joined(conditions, separator: " AND ")
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM local.orders o JOIN central.entities e ON e.id = o.entity_id
            \(whereClause) ORDER BY o.id DESC LIMIT \(limit)
            """)
        return try rows.map(Self.decode)
    }

    public static func message(for refusal: OrderEligibility.Refusal) -> String {
        switch refusal {
        case .notPublished: "the package is not published"
        case .jobPending: "the package is being cancelled or reinitialized"
        case .notVisible: "the package is not visible in the catalogue now"
        case .notYetAvailable: "the package cannot be ordered before its available_at date"
        case .deadlinePassed: "the package's order deadline has passed"
        case .notInAudience: "the package is not offered to this entity"
        case .alreadyOrdered: "this entity already ordered this revision of the package"
        }
    }

    /// What the journal keeps of an order.
    static func snapshot(_ order: CampaignOrder) -> JSONValue {
        .object([
            "status": .string(order.status.rawValue), "version": .number(JSONNumber(order.version)),
            "label": .string(order.label), "revision": .number(JSONNumber(order.revision)),
        ])
    }
}

/// What `POST /v1/orders/bulk` may do to many orders at once.
public enum BulkOrderAction: String, Sendable, Codable, CaseIterable {
    case approve
    case reject
    case cancel

    public var orderAction: OrderAction {
        switch self {
        case .approve: .approve
        case .reject: .reject
        case .cancel: .cancel
        }
    }
}

/// The payload of a `bulk_orders` job: the action, the orders (by id, or by a filter the
/// job applies when it runs), the comment and who asked.
public struct BulkOrdersRequest: Sendable, Codable, Equatable {
    /// The most ids one request may name.
    public static let maximumIDs = 10_000

    public var action: BulkOrderAction
    public var ids: [Int]?
    public var packageID: Int?
    public var entityID: Int?
    public var statuses: [OrderStatus]?
    public var comment: String?
    public var operatorID: Int
    public var operatorName: String
    public var operatorRole: OperatorRole

    public init(
        action: BulkOrderAction, ids: [Int]?, packageID: Int?, entityID: Int?, statuses: [OrderStatus]?,
        comment: String?, requestedBy operator: (id: Int, name: String, role: OperatorRole)
    ) {
        self.action = action
        self.ids = ids
        self.packageID = packageID
        self.entityID = entityID
        self.statuses = statuses
        self.comment = comment
        self.operatorID = `operator`.id
        self.operatorName = `operator`.name
        self.operatorRole = `operator`.role
    }

    /// The operator who asked: the orders change in its name.
    public var requestedBy: Principal { .central(operatorID: operatorID, name: operatorName, role: operatorRole) }

    /// What is wrong with a request: ids or a filter (one of them), at most
    /// ``maximumIDs`` ids, a filter that narrows something, a comment of a sane length.
    public static func problems(ids: [Int]?, filter: BulkOrderFilter?, comment: String?) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        switch (ids, filter != nil) {
        case (nil, false):
            problems.append(FieldProblem(field: "ids", message: "is required unless a filter is given"))
        case (_?, true):
            problems.append(FieldProblem(field: "filter", message: "cannot be given with ids: name the orders one way"))
        case (let ids?, false):
            if ids.isEmpty { problems.append(FieldProblem(field: "ids", message: "must name at least one order")) }
            if ids.count > maximumIDs {
                problems.append(FieldProblem(field: "ids", message: "must name at most \(maximumIDs) orders; use a filter"))
            }
        case (nil, true):
            if filter?.isEmpty == true {
                problems.append(
                    FieldProblem(field: "filter", message: "must narrow the orders by package, entity or status"))
            }
        }
        return problems + CommentRules.check(comment)
    }

    enum CodingKeys: String, CodingKey {
        case action, ids, statuses, comment
        case packageID = "package_id", entityID = "entity_id", operatorID = "operator_id"
        case operatorName = "operator_name", operatorRole = "operator_role"
    }
}

/// The orders a bulk request names by criteria: all those given must match.
public struct BulkOrderFilter: Sendable, Equatable {
    public var packageID: Int?
    /// An entity code.
    public var entity: String?
    public var statuses: [OrderStatus]

    public init(packageID: Int? = nil, entity: String? = nil, statuses: [OrderStatus] = []) {
        self.packageID = packageID
        self.entity = entity
        self.statuses = statuses
    }

    public var isEmpty: Bool { packageID == nil && entity == nil && statuses.isEmpty }
}

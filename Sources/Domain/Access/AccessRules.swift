/// A route of the HTTP API, as `openapi.yaml` names it (`POST /v1/packages/{id}/cancel`).
public struct APIRoute: Hashable, Sendable, CustomStringConvertible {
    public let method: String
    public let path: String

    public init(_ method: String, _ path: String) {
        self.method = method.uppercased()
        self.path = path
    }

    public var description: String { "\(method) \(path)" }
}

/// Who may call a route.
public enum RouteRequirement: Sendable, Equatable {
    /// No token (health, readiness, metrics).
    case anyone
    /// A central operator whose role covers this one (``OperatorRole/covers(_:)``).
    case central(OperatorRole)
    /// A local entity: its token, or one of its local operators.
    case local
    /// A local entity, or a central operator whose role covers this one.
    case localOrCentral(OperatorRole)
    /// A central operator whose role covers this one, about a row of one entity (an
    /// order). A local entity is turned away by the handler once it has looked the row
    /// up: 404 for another entity's row (its existence is never leaked), 403 for its own.
    case centralOnEntityRow(OperatorRole)
    /// An operator (central or local) about its own account, or a central operator whose
    /// role covers this one about anyone's: the handler tells the two apart.
    case operatorItselfOr(OperatorRole)
}

/// Which role may do which action: one rule for every route of `openapi.yaml` (a test
/// fails when a route has none). The HTTP API asks it before a handler runs.
public enum AccessRules {
    public static let table: [APIRoute: RouteRequirement] = [
        APIRoute("GET", "/healthz"): .anyone,
        APIRoute("GET", "/readyz"): .anyone,
        APIRoute("GET", "/metrics"): .anyone,

        APIRoute("POST", "/v1/entities"): .central(.admin),
        APIRoute("GET", "/v1/entities"): .central(.viewer),
        APIRoute("GET", "/v1/entities/{code}"): .central(.viewer),
        APIRoute("PATCH", "/v1/entities/{code}"): .central(.admin),
        APIRoute("POST", "/v1/entities/{code}/tokens"): .central(.admin),

        APIRoute("POST", "/v1/operators"): .central(.admin),
        APIRoute("GET", "/v1/operators"): .central(.viewer),
        APIRoute("GET", "/v1/operators/{name}"): .central(.viewer),
        APIRoute("PATCH", "/v1/operators/{name}"): .central(.admin),
        APIRoute("PUT", "/v1/operators/{name}/password"): .operatorItselfOr(.admin),

        APIRoute("GET", "/v1/tokens"): .central(.admin),
        APIRoute("DELETE", "/v1/tokens/{id}"): .central(.admin),

        APIRoute("POST", "/v1/packages"): .central(.editor),
        APIRoute("GET", "/v1/packages"): .central(.viewer),
        APIRoute("GET", "/v1/packages/{id}"): .central(.viewer),
        APIRoute("PATCH", "/v1/packages/{id}"): .central(.editor),
        APIRoute("POST", "/v1/packages/{id}/submit"): .central(.editor),
        APIRoute("POST", "/v1/packages/{id}/approve"): .central(.approver),
        APIRoute("POST", "/v1/packages/{id}/reject"): .central(.approver),
        APIRoute("POST", "/v1/packages/{id}/publish"): .central(.approver),
        APIRoute("POST", "/v1/packages/{id}/cancel"): .central(.approver),
        APIRoute("POST", "/v1/packages/{id}/reinitialize"): .central(.approver),
        APIRoute("GET", "/v1/packages/{id}/journal"): .central(.viewer),
        APIRoute("GET", "/v1/packages/{id}/participation"): .central(.viewer),
        APIRoute("POST", "/v1/packages/{id}/duplicate"): .central(.editor),
        APIRoute("POST", "/v1/packages/{id}/processes"): .central(.editor),
        APIRoute("PATCH", "/v1/processes/{id}"): .central(.editor),

        APIRoute("POST", "/v1/packages/{id}/orders"): .local,
        APIRoute("GET", "/v1/orders"): .localOrCentral(.viewer),
        APIRoute("POST", "/v1/orders/bulk"): .central(.approver),
        APIRoute("GET", "/v1/orders/{id}"): .localOrCentral(.viewer),
        APIRoute("PATCH", "/v1/orders/{id}"): .localOrCentral(.editor),
        APIRoute("POST", "/v1/orders/{id}/approve"): .centralOnEntityRow(.approver),
        APIRoute("POST", "/v1/orders/{id}/reject"): .centralOnEntityRow(.approver),
        APIRoute("POST", "/v1/orders/{id}/cancel"): .localOrCentral(.approver),

        APIRoute("GET", "/v1/catalog"): .local,
        APIRoute("GET", "/v1/notifications"): .local,
        APIRoute("POST", "/v1/notifications/ack"): .local,

        APIRoute("GET", "/v1/events"): .central(.viewer),

        APIRoute("POST", "/v1/webhooks"): .localOrCentral(.admin),
        APIRoute("GET", "/v1/webhooks"): .localOrCentral(.admin),
        APIRoute("GET", "/v1/webhooks/{id}"): .localOrCentral(.admin),
        APIRoute("DELETE", "/v1/webhooks/{id}"): .localOrCentral(.admin),
        APIRoute("GET", "/v1/webhooks/{id}/deliveries"): .localOrCentral(.admin),
        APIRoute("POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver"): .localOrCentral(.admin),

        APIRoute("GET", "/v1/jobs"): .central(.viewer),
        APIRoute("GET", "/v1/jobs/{id}"): .central(.viewer),
        APIRoute("POST", "/v1/jobs/{id}/retry"): .central(.approver),
    ]

    /// Why a caller may not use a route.
    public enum Refusal: Sendable, Equatable {
        /// The route has no rule: refused, whoever asks.
        case unknownRoute
        /// A central operator's role does not cover the route's; the role it needs.
        case needsRole(OperatorRole)
        /// Reserved to local entities.
        case localOnly
        /// Reserved to the central entity; the least role that may.
        case centralOnly(OperatorRole)

        /// The least role that may use the route (`nil` for a route without a rule).
        public var requiredRole: OperatorRole? {
            switch self {
            case .unknownRoute: nil
            case .needsRole(let role), .centralOnly(let role): role
            case .localOnly: .local
            }
        }
    }

    /// The least central role a route needs (`nil` for routes without one).
    public static func minimumCentralRole(of route: APIRoute) -> OperatorRole? {
        switch table[route] {
        case .central(let role)?, .localOrCentral(let role)?, .centralOnEntityRow(let role)?, .operatorItselfOr(let role)?: role
        case .anyone?, .local?, nil: nil
        }
    }

    /// Whether a caller of `role` may use `route` (`nil`: it may).
    public static func check(_ route: APIRoute, role: OperatorRole) -> Refusal? {
        guard let requirement = table[route] else { return .unknownRoute }
        switch requirement {
        case .anyone:
            return nil
        case .local:
            return role == .local ? nil : .localOnly
        case .central(let minimum):
            if role == .local { return .centralOnly(minimum) }
            return role.covers(minimum) ? nil : .needsRole(minimum)
        case .localOrCentral(let minimum):
            return role == .local || role.covers(minimum) ? nil : .needsRole(minimum)
        case .centralOnEntityRow(let minimum):
            // A local caller: the handler answers, once it knows whose row it is.
            return role == .local || role.covers(minimum) ? nil : .needsRole(minimum)
        case .operatorItselfOr:
            // Any role may ask about its own account: whose it is, the handler checks.
            return nil
        }
    }
}

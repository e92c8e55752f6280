import Domain
import Foundation
import Hummingbird
import Store

/// Campaign orders: every order, filtered by package, entity and status; an order's page
/// with what the entity entered (Edit > General), edited, approved, rejected or cancelled
/// by the central operator with the API's Store code and rules.
extension ConsoleController {
    @Sendable func orderList(_ request: Request, context: APIContext) async throws -> Response {
        let query = try QueryDecoding.decode(OrderListQuery.self, from: request)
        let limit = query.limit.orDefault
        let principal = try context.requirePrincipal()
        let orders = try await store.transaction { transaction -> [CampaignOrder] in
            guard let filter = try await OrdersController.filter(query, principal, transaction) else { return [] }
            return try await transaction.orders.list(filter, before: query.cursor, limit: limit)
        }
        var data = Self.layout(context)
        data["title"] = "Campaign orders"
        data["package"] = query.package.map(String.init) ?? ""
        data["entity"] = query.entity ?? ""
        let chosen = query.status?.first
        data["statuses"] = [["value": "", "label": "Any", "selected": chosen == nil] as [String: Any]]
            + OrderStatus.allCases.map { ["value": $0.rawValue, "label": Self.words($0), "selected": $0 == chosen] as [String: Any] }
        data["caption"] = orders.isEmpty ? "No orders" : "Orders, newest first"
        data["rows"] = orders.map {
            [
                "id": String($0.id), "packageID": String($0.packageID), "entity": $0.entityCode, "label": $0.label,
                "status": Self.words($0.status), "created": RFC3339.format($0.createdAt),
            ]
        }
        let kept = (request.uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("cursor=") }.joined(separator: "&")
        data["csv"] = "/console/orders.csv" + (kept.isEmpty ? "" : "?" + kept)
        data["back"] = request.uri.query ?? ""
        data["mayBulk"] = AccessRules.check(APIRoute("POST", "/v1/orders/bulk"), role: principal.operatorRole) == nil && !orders.isEmpty
        if orders.count == limit, let last = orders.last {
            data["next"] = "/console/orders?" + (kept.isEmpty ? "" : kept + "&") + "cursor=\(last.id)"
        }
        return ConsolePage.render("orders", data)
    }

    static func words(_ status: OrderStatus) -> String {
        let text = status.rawValue.replacingOccurrences(of: "_", with: " ")
        return text.prefix(1).uppercased() + text.dropFirst()
    }

    @Sendable func orderPage(_ request: Request, context: APIContext) async throws -> Response {
        try await orderPage(try context.id("id", "order"), context)
    }

    func orderPage(
        _ id: Int, _ context: APIContext, values: [String: String]? = nil, problems: [FieldProblem] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let order = try await store.transaction { try await $0.orders.require(id, visibleTo: principal) }
        var data = Self.layout(context)
        data["title"] = "Order \(id): \(order.label)"
        data["id"] = String(id)
        data["packageID"] = String(order.packageID)
        data["revision"] = String(order.revision)
        data["entity"] = order.entityCode
        data["status"] = Self.words(order.status)
        data["created"] = RFC3339.format(order.createdAt)
        data["createdBy"] = order.createdBy
        if let at = order.decidedAt {
            data["decided"] = "\(RFC3339.format(at)) by \(order.decidedBy ?? "?")" + (order.decisionComment.map { ": \($0)" } ?? "")
        }
        if let at = order.cancelledAt {
            data["cancelled"] = "\(RFC3339.format(at)) by \(order.cancelledBy ?? "?")" + (order.cancelComment.map { ": \($0)" } ?? "")
        }
        let shown = values ?? [
            "label": order.label, "comment": order.comment,
            "parameters": String(decoding: JSONValue.object(order.parameters).serialized, as: UTF8.self),
        ]
        data["fields"] = [("label", "Label", 1), ("comment", "Comment", 3), ("parameters", "Parameters (JSON)", 4)].map { name, label, rows in
            var field: [String: Any] = ["name": name, "label": label, "rows": String(rows), "value": shown[name] ?? ""]
            let messages = problems.filter { $0.field == name }.map(\.message)
            if !messages.isEmpty { field["error"] = messages.joined(separator: "; ") }
            return field
        }
        data["hasErrors"] = !problems.isEmpty
        func may(_ action: OrderAction, _ method: String, _ path: String) -> Bool {
            AccessRules.check(APIRoute(method, path), role: principal.operatorRole) == nil
                && (try? order.status.applying(action, by: .central).get()) != nil
        }
        data["canEdit"] = may(.edit, "PATCH", "/v1/orders/{id}")
        let buttons = [(OrderAction.approve, "Approve"), (.reject, "Reject"), (.cancel, "Cancel")]
            .filter { may($0.0, "POST", "/v1/orders/{id}/\($0.0.rawValue)") }
            .map { ["action": $0.0.rawValue, "label": $0.1] }
        data["decisions"] = buttons.isEmpty ? nil : ["buttons": buttons, "id": String(id), "csrf": data["csrf"] ?? ""] as [String: Any]
        return ConsolePage.render("order", data, status: status)
    }

    /// Save of Edit > General: the API's field rules, each problem next to its field.
    @Sendable func editOrder(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "order")
        try Self.requireRule("PATCH", "/v1/orders/{id}", principal)
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        let values = ["label": form["label"] ?? "", "comment": form["comment"] ?? "", "parameters": form["parameters"] ?? ""]
        var members: [String: JSONValue] = ["label": .string(values["label"] ?? ""), "comment": .string(values["comment"] ?? "")]
        var problems: [FieldProblem] = []
        switch form.json("parameters", example: #"{"copies": 500}"#) {
        case .success(let parameters): members["parameters"] = parameters
        case .failure(let failure): problems += failure.problems
        }
        do {
            try ValidationFailure.throwIfAny(problems)
            let body = try BodyDecoding.decode(OrderBody.self, from: Data(JSONValue.object(members).serialized))
            _ = try await store.transaction(for: principal) { transaction in
                try await transaction.orders.edit(
                    id, OrderChange(label: body.label, comment: body.comment, parameters: body.parameters), expectedVersion: nil,
                    by: principal)
            }
            return ConsolePage.redirect("/console/orders/\(id)")
        } catch {
            guard let problems = Self.fieldProblems(in: error) else { throw error }
            return try await orderPage(id, context, values: values, problems: problems, status: .unprocessableContent)
        }
    }

    /// Approve, reject or cancel (the button pressed), with the comment.
    @Sendable func decideOrder(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "order")
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        guard let action = form["action"].flatMap(OrderAction.init(rawValue:)), action != .edit else {
            throw APIError.validation([FieldProblem(field: "action", message: "must be approve, reject or cancel")])
        }
        try Self.requireRule("POST", "/v1/orders/{id}/\(action.rawValue)", principal)
        let comment = form["comment"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        _ = try await store.transaction(for: principal) { transaction in
            switch action {
            case .approve: try await transaction.orders.decide(id, approve: true, comment: comment, by: principal)
            case .reject: try await transaction.orders.decide(id, approve: false, comment: comment, by: principal)
            default: try await transaction.orders.cancel(id, comment: comment, by: principal)
            }
        }
        return ConsolePage.redirect("/console/orders/\(id)")
    }
}

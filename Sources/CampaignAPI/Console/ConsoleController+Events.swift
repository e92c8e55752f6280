import Domain
import Foundation
import Hummingbird
import Store

/// The central events (every central operator), and the central entity's webhook
/// endpoints with their delivery log (admins, as the API's rules say).
extension ConsoleController {
    static func words(_ kind: EventKind) -> String {
        switch kind {
        case .packageSubmitted: "Package submitted"
        case .orderPlaced: "Order placed"
        case .orderEdited: "Order edited"
        case .orderDeadlineReached: "Order deadline reached"
        case .approvalReminder: "Approval reminder"
        case .packageLate: "Package late"
        case .jobFailed: "Job failed"
        case .webhookDisabled: "Webhook disabled"
        }
    }

    // MARK: Events

    @Sendable func eventList(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("GET", "/v1/events", principal)
        let query = try QueryDecoding.decode(EventListQuery.self, from: request)
        let kinds = query.kind ?? []
        let limit = query.limit.orDefault
        let events = try await store.transaction {
            try await $0.eventFeed.recent(kinds: kinds, before: query.before, limit: limit)
        }
        var data = Self.layout(context)
        data["title"] = "Central events"
        let current = Set(kinds)
        data["kinds"] = EventKind.allCases.map {
            ["value": $0.rawValue, "label": Self.words($0), "checked": current.contains($0)] as [String: Any]
        }
        data["filtered"] = !kinds.isEmpty
        data["caption"] = events.isEmpty ? "No events" : "Events, newest first"
        data["rows"] = events.map { event -> [String: Any] in
            var row: [String: Any] = [
                "cursor": String(event.cursor), "kind": Self.words(event.kind), "at": RFC3339.format(event.createdAt),
                "entity": event.entity ?? "", "operator": event.operatorName ?? "", "comment": event.comment ?? "",
            ]
            if let package = event.packageID { row["packageID"] = String(package) }
            if let order = event.orderID { row["orderID"] = String(order) }
            return row
        }
        if events.count == limit, let last = events.last {
            let filter = kinds.map { "&kind=\($0.rawValue)" }.joined()
            data["next"] = "/console/events?before=\(last.cursor)\(filter)"
        }
        return ConsolePage.render("events", data)
    }

    // MARK: Webhooks

    /// What the list and an endpoint's page show of it: id, URL, kinds, status.
    static func summary(_ webhook: Webhook) -> [String: Any] {
        [
            "id": String(webhook.id), "url": webhook.url,
            "kinds": webhook.kinds.isEmpty ? "every kind" : webhook.kinds.joined(separator: ", "),
            "status": webhook.disabledAt.map { "disabled \(RFC3339.format($0)): \(webhook.disabledReason ?? "")" } ?? "enabled",
        ]
    }

    @Sendable func webhookList(_ request: Request, context: APIContext) async throws -> Response {
        try await webhooksPage(context)
    }

    func webhooksPage(
        _ context: APIContext, created: (Webhook, String)? = nil, form: [String: Any] = [:], status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("GET", "/v1/webhooks", principal)
        let webhooks = try await store.transaction(for: principal) { try await $0.webhooks.list(owner: nil) }
        var data = Self.layout(context)
        data["title"] = "Webhooks"
        let chosen = Set(form["kinds"] as? [String] ?? [])
        data["kinds"] = EventKind.allCases.map {
            ["value": $0.rawValue, "label": Self.words($0), "checked": chosen.contains($0.rawValue)] as [String: Any]
        }
        data["url"] = form["url"] ?? ""
        data["urlError"] = form["urlError"]
        data["kindsError"] = form["kindsError"]
        data["createError"] = form["createError"]
        if let (webhook, secret) = created { data["secret"] = ["id": String(webhook.id), "value": secret] }
        data["rows"] = webhooks.map { webhook -> [String: Any] in
            Self.summary(webhook).merging([
                "created": RFC3339.format(webhook.createdAt), "createdBy": webhook.createdBy, "csrf": data["csrf"] ?? "",
            ]) { $1 }
        }
        return ConsolePage.render("webhooks", data, status: status)
    }

    /// Registers an endpoint with the API's checks; its secret is shown on the page that answers, once.
    @Sendable func createWebhook(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("POST", "/v1/webhooks", principal)
        var request = request
        let body = FormBody(try await request.collectData(context: context))
        let url = (body["url"] ?? "").trimmingCharacters(in: .whitespaces)
        let kinds = body.all("kinds")
        var form: [String: Any] = ["url": url, "kinds": kinds]
        do {
            try await WebhookRegistration(allowPrivate: options.webhookAllowPrivate).check(url)
            let created = try await store.transaction(for: principal) {
                try await $0.webhooks.create(owner: nil, url: url, kinds: kinds, by: principal)
            }
            return try await webhooksPage(context, created: created, status: .created)
        } catch let error as APIError {
            // The URL's check is the only one that answers an APIError here.
            form["urlError"] = error.detail
            return try await webhooksPage(context, form: form, status: error.status)
        } catch let error as StoreError {
            if case .validation = error { form["kindsError"] = APIError(error).detail } else { form["createError"] = APIError(error).detail }
            return try await webhooksPage(context, form: form, status: APIError(error).status)
        }
    }

    @Sendable func deleteWebhook(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("DELETE", "/v1/webhooks/{id}", principal)
        let id = try context.id("id", "webhook")
        try await store.transaction(for: principal) { try await $0.webhooks.delete(id, owner: nil, by: principal) }
        return ConsolePage.redirect("/console/webhooks")
    }

    /// One endpoint and its delivery log, newest first, with Redeliver on each delivery.
    @Sendable func webhookPage(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("GET", "/v1/webhooks/{id}/deliveries", principal)
        let id = try context.id("id", "webhook")
        let query = try QueryDecoding.decode(DeliveryListQuery.self, from: request)
        let limit = query.limit.orDefault
        let (webhook, deliveries) = try await store.transaction(for: principal) { transaction in
            let webhook = try await transaction.webhooks.require(id, owner: nil)
            return (webhook, try await transaction.webhooks.deliveries(of: id, before: query.cursor, limit: limit))
        }
        let mayRedeliver = Self.may("POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", principal)
        var data = Self.layout(context)
        data["title"] = "Webhook \(webhook.id)"
        data["webhook"] = Self.summary(webhook)
        data["rows"] = deliveries.map { delivery -> [String: Any] in
            [
                "id": String(delivery.id), "eventID": delivery.eventID, "kind": delivery.kind, "status": delivery.status.rawValue,
                "attempts": String(delivery.attempts), "code": delivery.lastStatusCode.map(String.init) ?? "",
                "error": delivery.lastError ?? "", "created": RFC3339.format(delivery.createdAt),
                "next": delivery.status == .pending ? delivery.nextAttemptAt.map(RFC3339.format) ?? "now" : "",
                "delivered": delivery.deliveredAt.map(RFC3339.format) ?? "", "webhookID": String(webhook.id),
                "mayRedeliver": mayRedeliver && delivery.status != .pending, "csrf": data["csrf"] ?? "",
            ]
        }
        if deliveries.count == limit, let last = deliveries.last { data["next"] = "/console/webhooks/\(id)?cursor=\(last.id)" }
        return ConsolePage.render("webhook", data)
    }

    @Sendable func redeliverWebhook(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("POST", "/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", principal)
        let id = try context.id("id", "webhook")
        let deliveryID = try context.id("delivery_id", "delivery")
        _ = try await store.transaction(for: principal) { transaction in
            _ = try await transaction.webhooks.require(id, owner: nil)
            return try await transaction.webhooks.redeliver(deliveryID, of: id, by: principal)
        }
        return ConsolePage.redirect("/console/webhooks/\(id)")
    }
}

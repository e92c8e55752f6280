import Domain
import Hummingbird
import Store
import Webhooks

/// `/v1/webhooks`: endpoints, their delivery log and redelivery. A local caller's
/// endpoints receive its entity's notifications; an admin's, the central events. Each
/// caller sees only its own endpoints (another's answer 404).
struct WebhooksController {
    let store: Store
    let registration: WebhookRegistration

    func register(on group: RouterGroup<APIContext>) {
        group.post("webhooks", use: create)
        group.get("webhooks", use: list)
        group.get("webhooks/:id", use: show)
        group.delete("webhooks/:id", use: delete)
        group.get("webhooks/:id/deliveries", use: deliveries)
        group.post("webhooks/:id/deliveries/:delivery_id/redeliver", use: redeliver)
    }

    /// The endpoints' owner: the caller's entity, or `nil` (the central events) for an admin.
    private func owner(_ context: APIContext) throws -> (Principal, Int?) {
        let principal = try context.requirePrincipal()
        return (principal, principal.entityID)
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, owner) = try owner(context)
        let body = try await request.decode(as: WebhookBody.self, context: context)
        let url = body.url ?? ""
        try await registration.check(url)
        let (webhook, secret) = try await store.transaction(for: principal) {
            try await $0.webhooks.create(owner: owner, url: url, kinds: body.kinds ?? [], by: principal)
        }
        var view = Self.view(webhook)
        if case .object(var members) = view {
            members["secret"] = .string(secret)
            view = .object(members)
        }
        return JSONResponse.make(.created, view, headers: [.location: "/v1/webhooks/\(webhook.id)"])
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, owner) = try owner(context)
        let webhooks = try await store.transaction(for: principal) { try await $0.webhooks.list(owner: owner) }
        return JSONResponse.make(.ok, JSONResponse.page(webhooks.map(Self.view), nextCursor: nil))
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, owner) = try owner(context)
        let id = try context.id("id", "webhook")
        let webhook = try await store.transaction(for: principal) { try await $0.webhooks.require(id, owner: owner) }
        return JSONResponse.make(.ok, Self.view(webhook))
    }

    @Sendable func delete(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, owner) = try owner(context)
        let id = try context.id("id", "webhook")
        try await store.transaction(for: principal) { try await $0.webhooks.delete(id, owner: owner, by: principal) }
        return Response(status: .noContent)
    }

    @Sendable func deliveries(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, owner) = try owner(context)
        let id = try context.id("id", "webhook")
        let query = try QueryDecoding.decode(DeliveryListQuery.self, from: request)
        let limit = query.limit.orDefault
        let page = try await store.transaction(for: principal) { transaction in
            _ = try await transaction.webhooks.require(id, owner: owner)
            return try await transaction.webhooks.deliveries(of: id, before: query.cursor, limit: limit)
        }
        return JSONResponse.make(
            .ok,
            JSONResponse.page(page.map(Self.view), nextCursor: page.count == limit ? page.last.map { String($0.id) } : nil))
    }

    @Sendable func redeliver(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, owner) = try owner(context)
        let id = try context.id("id", "webhook")
        let deliveryID = try context.id("delivery_id", "delivery")
        let delivery = try await store.transaction(for: principal) { transaction in
            _ = try await transaction.webhooks.require(id, owner: owner)
            return try await transaction.webhooks.redeliver(deliveryID, of: id, by: principal)
        }
        return JSONResponse.make(.accepted, Self.view(delivery))
    }

    static func view(_ webhook: Webhook) -> JSONValue {
        .object([
            "id": .id(webhook.id), "url": .string(webhook.url), "kinds": .array(webhook.kinds.map(JSONValue.string)),
            "created_at": .date(webhook.createdAt), "created_by": .string(webhook.createdBy),
            "disabled_at": .date(webhook.disabledAt), "disabled_reason": .text(webhook.disabledReason),
        ])
    }

    static func view(_ delivery: WebhookDelivery) -> JSONValue {
        .object([
            "id": .id(delivery.id), "event_id": .string(delivery.eventID), "kind": .string(delivery.kind),
            "status": .string(delivery.status.rawValue), "attempts": .int(delivery.attempts),
            "last_status_code": delivery.lastStatusCode.map { .int($0) } ?? .null, "last_error": .text(delivery.lastError),
            "next_attempt_at": .date(delivery.nextAttemptAt), "delivered_at": .date(delivery.deliveredAt),
            "created_at": .date(delivery.createdAt),
        ])
    }
}

import Domain
import Hummingbird
import Store

/// `/v1/notifications`: a local entity's feed, plain or long-polled, and its acknowledgements.
struct NotificationsController {
    let store: Store
    let feed: FeedReader
    let hub: NotificationHub
    let disconnects: ClientDisconnects

    func register(on group: RouterGroup<APIContext>) {
        group.get("notifications") { request, context in
            let (_, entityID) = try context.requireLocal()
            let query = try QueryDecoding.decode(FeedQuery.self, from: request)
            let after = query.after ?? 0
            let rows = try await poll(
                entityID: entityID, after: after, limit: query.limit.orDefault, wait: query.wait?.value ?? 0, context: context)
            return JSONResponse.make(
                .ok,
                .object([
                    "items": .array(rows.map(Views.notification)),
                    "next_cursor": .int(rows.last?.cursor ?? after),
                ]),
                headers: [.cacheControl: "no-store"])
        }
        group.post("notifications/ack") { request, context in
            let (principal, entityID) = try context.requireLocal()
            let cursor = try await request.decode(as: AcknowledgementBody.self, context: context).cursor ?? 0
            guard cursor >= 0 else {
                throw APIError.validation([FieldProblem(field: "cursor", message: "must be a whole number of 0 or more")])
            }
            try await store.transaction(for: principal) {
                try await $0.notificationFeed.acknowledge(entityID: entityID, cursor: cursor)
            }
            return Response(status: .noContent)
        }
    }

    /// The entity's rows after `after`, at most `limit`; with `wait` (seconds), an empty
    /// read is held until a row commits or the wait ends. The API's feed and the portal's
    /// live count both read through here.
    func poll(entityID: Int, after: Int, limit: Int, wait: Double, context: APIContext) async throws -> [EntityNotification] {
        // Register before reading, so a row that commits in between still wakes us.
        let ticket = wait > 0 ? hub.register(entityID: entityID, after: after) : nil
        var rows: [EntityNotification]
        do {
            rows = try await feed.rows(FeedPoll(entityID: entityID, after: after, limit: limit))
        } catch {
            // The request ends here: its registration must not outlive it.
            if let ticket { hub.cancel(ticket) }
            throw error
        }
        if let ticket {
            if rows.isEmpty {
                // A client that leaves ends its wait at once (not when `wait` runs out).
                rows = await disconnects.whileConnected(context.channel, onDisconnect: { [hub] in hub.cancel(ticket) }) {
                    Array(await hub.wait(ticket, timeout: .milliseconds(Int64(wait * 1000))).prefix(limit))
                }
            } else {
                hub.cancel(ticket)
            }
        }
        return rows
    }
}

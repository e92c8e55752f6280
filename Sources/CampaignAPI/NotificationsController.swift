import Domain
import Hummingbird
import Store

/// `/v1/notifications`: a local entity's feed, plain or long-polled, and its acknowledgements.
struct NotificationsController {
    let store: Store
    let feed: FeedPolling<NotificationFeed>

    func register(on group: RouterGroup<APIContext>) {
        group.get("notifications") { request, context in
            let (_, entityID) = try context.requireLocal()
            let query = try QueryDecoding.decode(FeedQuery.self, from: request)
            let after = query.after ?? 0
            let rows = try await feed.poll(
                key: entityID, after: after, limit: query.limit.orDefault, wait: query.wait?.value ?? 0, context: context)
            return feed.page(rows, after: after)
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
}

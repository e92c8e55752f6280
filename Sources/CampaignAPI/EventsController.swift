import Hummingbird
import Store

/// `/v1/events`: the central entity's feed, plain or long-polled, with the cursor
/// guarantees of the notifications (the same ``FeedPolling``).
struct EventsController {
    let feed: FeedPolling<EventFeed>

    func register(on group: RouterGroup<APIContext>) {
        group.get("events") { request, context in
            _ = try context.requireCentral()
            let query = try QueryDecoding.decode(FeedQuery.self, from: request)
            let after = query.after ?? 0
            let rows = try await feed.poll(
                key: 0, after: after, limit: query.limit.orDefault, wait: query.wait?.value ?? 0, context: context)
            return feed.page(rows, after: after)
        }
    }
}

import Hummingbird
import Store

/// A poll of a commit-ordered feed, plain or long: the one implementation behind
/// `GET /v1/notifications`, `GET /v1/events` and the portal's live count.
struct FeedPolling<Feed: CommitOrderedFeed>: Sendable {
    let reader: CoalescedFeedReader<Feed>
    let hub: FeedHub<Feed>
    let disconnects: ClientDisconnects

    /// The rows of feed `key` after `after`, at most `limit`; with `wait` (seconds), an
    /// empty read is held until a row commits or the wait ends.
    func poll(key: Int, after: Int, limit: Int, wait: Double, context: APIContext) async throws -> [Feed.Row] {
        // Register before reading, so a row that commits in between still wakes us.
        let ticket = wait > 0 ? hub.register(key: key, after: after) : nil
        var rows: [Feed.Row]
        do {
            rows = try await reader.rows(FeedPoll(key: key, after: after, limit: limit))
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

    /// The page of a feed, as `/v1/notifications` and `/v1/events` answer it.
    func page(_ rows: [Feed.Row], after: Int) -> Response {
        JSONResponse.make(
            .ok,
            .object(["items": .array(rows.map(\.json)), "next_cursor": .int(rows.last?.cursor ?? after)]),
            headers: [.cacheControl: "no-store"])
    }
}

import CoreMetrics
import Domain

/// Reads the feeds of concurrent polls together.
///
/// Polls are the daemon's most frequent requests, and most find nothing. At most
/// `concurrency` feed reads run at a time; a poll that arrives while they all run waits,
/// and the next read takes every poll waiting by then (up to `batch`), in one statement
/// and one round trip (``CommitOrderedFeed/rows(of:)``). A lone poll is read at once;
/// under load the database runs one statement for many polls. Each poll is still read
/// from the database (notifications as their own entity, under row level security):
/// nothing is cached.
public final class CoalescedFeedReader<Feed: CommitOrderedFeed>: Sendable {
    private let coalescer: Coalescer<FeedPoll, [Feed.Row]>

    /// - Parameters:
    ///   - concurrency: reads running at once (each holds a pool connection meanwhile).
    ///   - batch: polls read by one statement at most.
    public init(store: Store, concurrency: Int = 2, batch: Int = 200) {
        // The notifications' counters keep the names they had before there were two feeds
        // (a name cannot be both labelled and not): campaignd_feed_*, campaignd_events_feed_*.
        let prefix = Feed.name == NotificationFeed.name ? "campaignd_feed" : "campaignd_\(Feed.name)_feed"
        coalescer = Coalescer(
            concurrency: concurrency, batch: batch,
            counters: (
                Counter(label: "\(prefix)_polls_total"), Counter(label: "\(prefix)_statements_total")
            )
        ) { take in
            // A hot standby serves the polls when one is usable: one that has replayed the
            // last write of every entity of the batch (read-your-writes).
            guard let replicas = store.replicas else {
                return try await store.pool.withConnection { try await Feed(connection: $0).rows(of: take()) }
            }
            let polls = take()
            let keys = Feed.name == NotificationFeed.name ? polls.map { "entity:\($0.key)" } : ["central"]
            return try await store.readOnStandby(replicas.pool(replayedPast: replicas.fence(of: keys))) {
                try await $0.withConnection { try await Feed(connection: $0).rows(of: polls) }
            }
        }
    }

    /// Polls waiting for a read right now, and polls and statements read so far.
    public var statistics: (waiting: Int, polls: Int, statements: Int) {
        let statistics = coalescer.statistics
        return (statistics.waiting, statistics.requests, statistics.reads)
    }

    /// The poll's rows: its feed's rows after its cursor, in cursor order.
    public func rows(_ poll: FeedPoll) async throws -> [Feed.Row] {
        try await coalescer.answer(poll)
    }
}

/// Coalesced reads of local entities' notifications.
public typealias FeedReader = CoalescedFeedReader<NotificationFeed>
/// Coalesced reads of the central events.
public typealias EventReader = CoalescedFeedReader<EventFeed>

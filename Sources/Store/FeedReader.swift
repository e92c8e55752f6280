import CoreMetrics
import Domain

/// Reads the feeds of concurrent polls together.
///
/// Polls are the daemon's most frequent requests, and most find nothing. At most
/// `concurrency` feed reads run at a time; a poll that arrives while they all run waits,
/// and the next read takes every poll waiting by then (up to `batch`), in one statement
/// and one round trip (``NotificationFeed/rows(of:)``). A lone poll is read at once;
/// under load the database runs one statement for many polls. Each poll is still read as
/// its own entity, under row level security, from the database: nothing is cached.
public final class FeedReader: Sendable {
    private let coalescer: Coalescer<FeedPoll, [EntityNotification]>

    /// - Parameters:
    ///   - concurrency: reads running at once (each holds a pool connection meanwhile).
    ///   - batch: polls read by one statement at most.
    public init(store: Store, concurrency: Int = 2, batch: Int = 200) {
        coalescer = Coalescer(
            concurrency: concurrency, batch: batch,
            counters: (Counter(label: "campaignd_feed_polls_total"), Counter(label: "campaignd_feed_statements_total"))
        ) { take in
            try await store.pool.withConnection { try await NotificationFeed(connection: $0).rows(of: take()) }
        }
    }

    /// Polls waiting for a read right now, and polls and statements read so far.
    public var statistics: (waiting: Int, polls: Int, statements: Int) {
        let statistics = coalescer.statistics
        return (statistics.waiting, statistics.requests, statistics.reads)
    }

    /// The poll's rows: its entity's rows after its cursor, in cursor order.
    public func rows(_ poll: FeedPoll) async throws -> [EntityNotification] {
        try await coalescer.answer(poll)
    }
}

import CoreMetrics
import Domain
import Synchronization

/// Reads the feeds of concurrent polls together.
///
/// Polls are the daemon's most frequent requests, and most find nothing. At most
/// `concurrency` reads run at a time; a poll that arrives while they all run waits, and
/// the next read takes every poll waiting by then (up to `batch`), in one statement and
/// one round trip (``Store/notifications(_:)``). A lone poll is read at once, so coalescing
/// adds no delay when there is nothing to coalesce; under load the database runs one
/// statement for many polls. Each poll is still read as its own entity, under row level
/// security, from the database: nothing is cached.
///
/// No task is spawned: the poll that starts a read reads for the others, then hands the
/// next read to the first poll still waiting.
public final class FeedReader: Sendable {
    private enum Turn: Sendable {
        case done(Result<[EntityNotification], any Error>)
        case lead
    }

    private struct Waiter {
        let poll: FeedPoll
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var waiting: [Waiter] = []
        var reading = 0
        var polls = 0
        var statements = 0
    }

    private let state = Mutex(State())
    let store: Store
    let concurrency: Int
    let batch: Int
    private let polls = Counter(label: "campaignd_feed_polls_total")
    private let statements = Counter(label: "campaignd_feed_statements_total")

    /// - Parameters:
    ///   - concurrency: reads running at once (each holds a pool connection meanwhile).
    ///   - batch: polls read by one statement at most.
    public init(store: Store, concurrency: Int = 2, batch: Int = 200) {
        self.store = store
        self.concurrency = max(1, concurrency)
        self.batch = max(1, batch)
    }

    /// Polls waiting for a read right now, and polls and statements read so far.
    public var statistics: (waiting: Int, polls: Int, statements: Int) {
        state.withLock { ($0.waiting.count, $0.polls, $0.statements) }
    }

    /// The poll's rows: its entity's rows after its cursor, in cursor order.
    public func rows(_ poll: FeedPoll) async throws -> [EntityNotification] {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let lead = state.withLock { state in
                if state.reading < concurrency {
                    state.reading += 1
                    return true
                }
                state.waiting.append(Waiter(poll: poll, continuation: continuation))
                return false
            }
            if lead { continuation.resume(returning: .lead) }
        }
        switch turn {
        case .done(let result): return try result.get()
        case .lead: return try await read(poll)
        }
    }

    /// Reads `own` and the polls waiting once a connection is at hand, answers them, and
    /// passes the turn on.
    private func read(_ own: FeedPoll) async throws -> [EntityNotification] {
        var others: [Waiter] = []
        let result: Result<[[EntityNotification]], any Error>
        do {
            result = .success(
                try await store.pool.withConnection { connection in
                    others = state.withLock { state in
                        let taken = Array(state.waiting.prefix(batch - 1))
                        state.waiting.removeFirst(taken.count)
                        state.polls += taken.count + 1
                        state.statements += 1
                        return taken
                    }
                    return try await NotificationFeed(connection: connection).rows(of: [own] + others.map(\.poll))
                })
        } catch {
            result = .failure(error)
        }
        polls.increment(by: others.count + 1)
        statements.increment()
        for (index, waiter) in others.enumerated() {
            waiter.continuation.resume(returning: .done(result.map { $0[index + 1] }))
        }
        let next = state.withLock { state -> Waiter? in
            if state.waiting.isEmpty {
                state.reading -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        return try result.get()[0]
    }
}

import Foundation
import Logging
import NIOCore
import NIOPosix
import Postgres
import ServiceLifecycle
import Store
import Synchronization

/// Wakes the long polls of one feed (the notifications, or the central events): one
/// `LISTEN` connection per feed and daemon, whatever the number of waiting clients, and
/// no database connection held by a waiting client.
///
/// A request registers its wait *before* it reads the feed, so a row that commits
/// between its read and its wait is still delivered. On every notification the hub
/// reads the rows committed since the last ones it saw, for the entities someone waits
/// for, and hands them to the waiters directly (one query, however many waiters).
///
/// Why no row is missed: each wait has a *horizon*, a cursor up to which every row of its
/// entity is known to have reached it, through the request's own read or from the hub.
/// Cursors follow commit order (``CommitOrderedFeed``), so a snapshot that sees cursor H sees
/// every row up to H.
/// - A wait starts with the horizon of the last finished dispatch (or its own cursor,
///   whichever is higher): the rows up to there committed before the wait registered,
///   so the request's read, which comes after, sees them.
/// - A dispatch reads, for the waits of its snapshot, the rows above their horizons up
///   to the highest cursor H committed, and moves those waits' horizons to H. A wait that
///   registers while the query runs is not in the snapshot and keeps its horizon: the
///   next dispatch reads from there (the rows in between are not skipped, as they were
///   when the hub kept one horizon for all).
/// - A row that commits after a request's read sends a `NOTIFY` on commit; the dispatch it
///   causes, or a later one (they run one at a time), starts after the commit, with that
///   wait in its snapshot, so it hands the row over.
/// Rows are handed over once: a dispatch hands a wait only rows above its horizon.
public final class FeedHub<Feed: CommitOrderedFeed>: Service, Sendable {
    /// A registered wait.
    public struct Ticket: Sendable, Hashable {
        let id: Int
    }

    private struct Waiter {
        let key: Int
        /// Every row of the feed up to here reached this wait (see the type's comment).
        var horizon: Int
        var delivered: [Feed.Row] = []
        var continuation: CheckedContinuation<[Feed.Row], Never>?
        var timeout: Scheduled<Void>?
    }

    private struct State {
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
        /// The highest cursor the last finished dispatch saw committed.
        var lastSeen: Int?
        var closed = false
    }

    private let state = Mutex(State())
    let store: Store
    let logger: Logger
    private let eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    /// Runs between a dispatch's snapshot of the waiters and its query (tests pause there).
    private let afterSnapshot: (@Sendable () async -> Void)?

    public convenience init(store: Store, logger: Logger) {
        self.init(store: store, logger: logger, afterSnapshot: nil)
    }

    init(store: Store, logger: Logger, afterSnapshot: (@Sendable () async -> Void)?) {
        self.store = store
        self.logger = logger
        self.afterSnapshot = afterSnapshot
    }

    /// Clients waiting right now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Registers interest in the rows of feed `key` after `after`.
    public func register(key: Int, after: Int) -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.waiters[state.nextID] = Waiter(key: key, horizon: max(after, state.lastSeen ?? after))
            return Ticket(id: state.nextID)
        }
    }

    /// Forgets a registration (the read found rows, or the request ended).
    public func cancel(_ ticket: Ticket) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: ticket.id) }
        waiter?.timeout?.cancel()
        waiter?.continuation?.resume(returning: [])
    }

    /// Waits until rows arrive for the registration, the timeout passes (empty answer) or
    /// the daemon shuts down (empty answer).
    public func wait(_ ticket: Ticket, timeout: Duration) async -> [Feed.Row] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[Feed.Row], Never>) in
            let ready: [Feed.Row]? = state.withLock { state in
                guard var waiter = state.waiters[ticket.id], !state.closed else { return [] }
                if !waiter.delivered.isEmpty {
                    state.waiters[ticket.id] = nil
                    return waiter.delivered
                }
                waiter.continuation = continuation
                waiter.timeout = eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.seconds * 1e9))) { [weak self] in
                    self?.cancel(ticket)
                }
                state.waiters[ticket.id] = waiter
                return nil
            }
            if let ready {
                state.withLock { _ = $0.waiters.removeValue(forKey: ticket.id) }
                continuation.resume(returning: ready)
            }
        }
    }

    public func run() async throws {
        let listener = PostgresListener(
            configuration: store.listenConfiguration, channels: [Feed.wakeChannel], logger: logger)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in listener {
                    await self.dispatch()
                }
            }
            try? await gracefulShutdown()
            close()
            group.cancelAll()
        }
    }

    /// Ends every wait with an empty answer and refuses new ones.
    func close() {
        let waiters = state.withLock { state in
            state.closed = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation?.resume(returning: [])
        }
    }

    /// Reads what committed since the last dispatch and wakes whom it concerns.
    func dispatch() async {
        let (snapshot, since) = state.withLock { state in
            (state.waiters.map { (id: $0.key, key: $0.value.key) }, state.waiters.values.map(\.horizon).min())
        }
        await afterSnapshot?()
        do {
            let keys = Array(Set(snapshot.map(\.key)))
            let read: @Sendable (PostgresConnection) async throws -> (rows: [Feed.Row], highest: Int) = { connection in
                let feed = Feed(connection: connection)
                guard let since else { return ([], try await feed.highestCursor()) }
                return try await feed.rowsSince(since, keys: keys)
            }
            let found = try await readAfterCommit(read)
            let byKey = Dictionary(grouping: found.rows, by: \.feedKey)
            var wake: [(CheckedContinuation<[Feed.Row], Never>, [Feed.Row], Scheduled<Void>?)] = []
            state.withLock { state in
                state.lastSeen = max(state.lastSeen ?? 0, found.highest)
                for (id, _) in snapshot {
                    guard var waiter = state.waiters[id] else { continue }
                    let rows = (byKey[waiter.key] ?? []).filter { $0.cursor > waiter.horizon }
                    waiter.horizon = max(waiter.horizon, found.highest)
                    if rows.isEmpty {
                        state.waiters[id] = waiter
                    } else if let continuation = waiter.continuation {
                        state.waiters[id] = nil
                        wake.append((continuation, rows, waiter.timeout))
                    } else {
                        waiter.delivered += rows
                        state.waiters[id] = waiter
                    }
                }
            }
            for (continuation, rows, timeout) in wake {
                timeout?.cancel()
                continuation.resume(returning: rows)
            }
        } catch {
            logger.warning("cannot read new rows of a feed", metadata: ["feed": "\(Feed.name)", "error": "\(error)"])
        }
    }
}

extension FeedHub {
    /// Runs `read` where what woke the hub is visible: on a hot standby that has replayed
    /// the primary's WAL position as it is now (after the commit that sent the `NOTIFY`),
    /// asked for a few milliseconds, else on the primary.
    func readAfterCommit<T: Sendable>(_ read: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        var standby = store.pool
        if let replicas = store.replicas, let position = try? await replicas.primaryPosition() {
            standby = await replicas.pool(replayedPast: position, patience: .milliseconds(50))
        }
        return try await store.readOnStandby(standby) { try await $0.withTransaction(retryOnConflict: true) { try await read($0) } }
    }
}

/// Wakes the long polls of local entities' notifications.
public typealias NotificationHub = FeedHub<NotificationFeed>
/// Wakes the long polls of the central events.
public typealias EventHub = FeedHub<EventFeed>

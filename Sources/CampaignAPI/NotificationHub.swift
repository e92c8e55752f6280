import Foundation
import Logging
import NIOCore
import NIOPosix
import Postgres
import ServiceLifecycle
import Store
import Synchronization

/// Wakes long polls: one `LISTEN` connection per daemon, whatever the number of waiting
/// clients, and no database connection held by a waiting client.
///
/// A request registers its wait *before* it reads the feed, so a row that commits
/// between its read and its wait is still delivered. On every notification the hub
/// reads the rows committed since the last ones it saw, for the entities someone waits
/// for, and hands them to the waiters directly (one query, however many waiters).
public final class NotificationHub: Service, Sendable {
    /// A registered wait.
    public struct Ticket: Sendable, Hashable {
        let id: Int
    }

    private struct Waiter {
        let entityID: Int
        let after: Int
        var delivered: [EntityNotification] = []
        var continuation: CheckedContinuation<[EntityNotification], Never>?
        var timeout: Scheduled<Void>?
    }

    private struct State {
        var waiters: [Int: Waiter] = [:]
        var nextID = 0
        var lastSeen: Int?
        var closed = false
    }

    private let state = Mutex(State())
    let store: Store
    let logger: Logger
    private let eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()

    public init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Clients waiting right now.
    public var waiting: Int { state.withLock { $0.waiters.count } }

    /// Registers interest in the entity's rows after `after`.
    public func register(entityID: Int, after: Int) -> Ticket {
        state.withLock { state in
            state.nextID += 1
            state.waiters[state.nextID] = Waiter(entityID: entityID, after: after)
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
    public func wait(_ ticket: Ticket, timeout: Duration) async -> [EntityNotification] {
        await withCheckedContinuation { (continuation: CheckedContinuation<[EntityNotification], Never>) in
            let ready: [EntityNotification]? = state.withLock { state in
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
            configuration: store.pool.configuration, channels: [NotificationWriter.wakeChannel], logger: logger)
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
        let (since, entities) = state.withLock { state in
            (state.lastSeen, Array(Set(state.waiters.values.map(\.entityID))))
        }
        do {
            let found = try await store.transaction { transaction -> (rows: [EntityNotification], highest: Int) in
                guard let since else { return ([], try await transaction.notificationFeed.highestCursor()) }
                return try await transaction.notificationFeed.rowsSince(since, entities: entities)
            }
            let byEntity = Dictionary(grouping: found.rows, by: \.entityID)
            var wake: [(CheckedContinuation<[EntityNotification], Never>, [EntityNotification], Scheduled<Void>?)] = []
            state.withLock { state in
                state.lastSeen = max(state.lastSeen ?? 0, found.highest)
                for (id, waiter) in state.waiters {
                    let rows = (byEntity[waiter.entityID] ?? []).filter { $0.cursor > waiter.after }
                    guard !rows.isEmpty else { continue }
                    if let continuation = waiter.continuation {
                        state.waiters[id] = nil
                        wake.append((continuation, rows, waiter.timeout))
                    } else {
                        state.waiters[id]?.delivered += rows
                    }
                }
            }
            for (continuation, rows, timeout) in wake {
                timeout?.cancel()
                continuation.resume(returning: rows)
            }
        } catch {
            logger.warning("cannot read new notifications", metadata: ["error": "\(error)"])
        }
    }
}

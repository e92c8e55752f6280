import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Sizes and timeouts of a ``PostgresPool``.
public struct PostgresPoolOptions: Sendable {
    /// Connections opened by ``PostgresPool/prewarm()`` and kept while idle.
    public var minimumConnections: Int
    public var maximumConnections: Int
    /// How long ``PostgresPool/withConnection(_:)`` waits for a free connection.
    public var acquireTimeout: Duration

    public init(minimumConnections: Int = 1, maximumConnections: Int = 10, acquireTimeout: Duration = .seconds(10)) {
        self.minimumConnections = max(0, minimumConnections)
        self.maximumConnections = max(1, maximumConnections)
        self.acquireTimeout = acquireTimeout
    }
}

/// Counts of a pool's connections, for metrics and tests.
public struct PostgresPoolStatistics: Sendable, Equatable {
    public var inUse: Int
    public var idle: Int
    public var waiting: Int
    public var opening: Int
}

/// A pool of libpq connections.
///
/// Borrow a connection with ``withConnection(_:)`` or ``withTransaction(isolation:retryOnConflict:_:)``:
/// the connection returns to the pool when the closure ends. Connections found broken (the
/// server restarted, a network cut) are closed and replaced on the next borrow, so the
/// pool outlives a PostgreSQL restart. libpq work runs on the pool's own thread pool,
/// one thread per connection, so a slow query never starves the cooperative pool.
public final class PostgresPool: Sendable {
    public let configuration: PostgresConfiguration
    public let options: PostgresPoolOptions
    public let logger: Logger
    let threadPool: NIOThreadPool
    private let eventLoop: any EventLoop
    private let state = NIOLockedValueBox(State())

    private struct Waiter {
        let continuation: CheckedContinuation<PostgresConnection, any Error>
        let timeout: Scheduled<Void>?
    }

    private struct State {
        var idle: [PostgresConnection] = []
        var inUse = 0
        var opening = 0
        var waiters: [Int: Waiter] = [:]
        var waiterOrder: [Int] = []
        var nextWaiterID = 0
        var closed = false
        var total: Int { idle.count + inUse + opening }
    }

    public init(
        configuration: PostgresConfiguration,
        options: PostgresPoolOptions = PostgresPoolOptions(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
        self.threadPool = NIOThreadPool(numberOfThreads: options.maximumConnections + 1)
        self.threadPool.start()
        self.eventLoop = MultiThreadedEventLoopGroup.singleton.any()
    }

    deinit {
        threadPool.shutdownGracefully { _ in }
    }

    public var statistics: PostgresPoolStatistics {
        state.withLockedValue {
            PostgresPoolStatistics(inUse: $0.inUse, idle: $0.idle.count, waiting: $0.waiters.count, opening: $0.opening)
        }
    }

    /// Borrows a connection for the duration of `body`.
    @discardableResult
    public func withConnection<T>(
        isolation actor: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await body(connection)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Runs `body` in a transaction on a borrowed connection. With `retryOnConflict`, a
    /// serialization failure or deadlock reruns the whole closure (up to 5 attempts), so
    /// `body` must have no effect outside the database.
    @discardableResult
    public func withTransaction<T>(
        isolation level: PostgresIsolation = .readCommitted,
        settings: [(name: String, value: String)] = [],
        retryOnConflict: Bool = false,
        isolation actor: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await withConnection { connection in
                    try await connection.withTransaction(isolation: level, settings: settings) { try await body($0) }
                }
            } catch let error as PostgresError where retryOnConflict && error.isTransient && attempt < 5 {
                logger.debug("transaction conflict, retrying", metadata: ["sqlstate": "\(error.sqlState ?? "")"])
                let backoff = Double(1 << attempt) * Double.random(in: 2...6)
                try await Task.sleep(for: .milliseconds(backoff))
                attempt += 1
            }
        }
    }

    /// Opens connections up to the minimum. Failures are logged, not thrown: the pool
    /// opens connections on demand anyway.
    public func prewarm() async {
        let wanted = state.withLockedValue { state -> Int in
            let missing = max(0, options.minimumConnections - state.total)
            state.opening += missing
            return missing
        }
        for _ in 0..<wanted {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration, threadPool: threadPool, logger: logger)
                state.withLockedValue { $0.opening -= 1; $0.inUse += 1 }
                release(connection)
            } catch {
                state.withLockedValue { $0.opening -= 1 }
                logger.warning("cannot open a database connection", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Closes idle connections and fails waiters; connections in use close when returned.
    public func close() {
        let (idle, waiters) = state.withLockedValue { state in
            state.closed = true
            defer {
                state.idle = []
                state.waiters = [:]
                state.waiterOrder = []
            }
            return (state.idle, Array(state.waiters.values))
        }
        idle.forEach { $0.close() }
        for waiter in waiters {
            waiter.timeout?.cancel()
            waiter.continuation.resume(throwing: PostgresError(code: .poolClosed, message: "the pool is closed"))
        }
    }

    // MARK: - Acquire and release

    private enum Decision {
        case use(PostgresConnection)
        case open
        case wait
        case closed
    }

    func acquire() async throws -> PostgresConnection {
        while true {
            try Task.checkCancellation()
            let decision = state.withLockedValue { state -> Decision in
                if state.closed { return .closed }
                if let connection = state.idle.popLast() {
                    state.inUse += 1
                    return .use(connection)
                }
                if state.total < options.maximumConnections {
                    state.opening += 1
                    return .open
                }
                return .wait
            }
            switch decision {
            case .closed:
                throw PostgresError(code: .poolClosed, message: "the pool is closed")
            case .use(let connection):
                if connection.checkIdleHealth() { return connection }
                logger.info("replacing a broken database connection")
                discard(connection)
            case .open:
                do {
                    let connection = try await PostgresConnection.connect(
                        configuration, threadPool: threadPool, logger: logger)
                    state.withLockedValue { $0.opening -= 1; $0.inUse += 1 }
                    return connection
                } catch {
                    state.withLockedValue { $0.opening -= 1 }
                    wakeOneWaiterToOpen()
                    throw error
                }
            case .wait:
                let connection = try await waitForConnection()
                if connection.checkIdleHealth() { return connection }
                discard(connection)
            }
        }
    }

    private func waitForConnection() async throws -> PostgresConnection {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<PostgresConnection, any Error>) in
            state.withLockedValue { state in
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                let timeout = eventLoop.scheduleTask(in: .nanoseconds(Int64(options.acquireTimeout.nanoseconds))) {
                    [weak self] () -> Void in
                    self?.timeOut(waiter: id)
                }
                state.waiters[id] = Waiter(continuation: continuation, timeout: timeout)
                state.waiterOrder.append(id)
            }
        }
    }

    private func timeOut(waiter id: Int) {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard let waiter = state.waiters.removeValue(forKey: id) else { return nil }
            state.waiterOrder.removeAll { $0 == id }
            return waiter
        }
        let seconds = Double(options.acquireTimeout.nanoseconds) / 1e9
        waiter?.continuation.resume(
            throwing: PostgresError(
                code: .poolTimeout,
                message: "no database connection free within \(seconds) s (pool of \(options.maximumConnections))"))
    }

    /// Returns a connection: to the first waiter, to the idle list, or closed when it is
    /// broken or was left inside a transaction.
    func release(_ connection: PostgresConnection) {
        guard connection.isIdle else {
            discard(connection)
            return
        }
        enum Action {
            case keep
            case close
            case handOver(Waiter)
        }
        let action = state.withLockedValue { state -> Action in
            if state.closed {
                state.inUse -= 1
                return .close
            }
            while !state.waiterOrder.isEmpty {
                let id = state.waiterOrder.removeFirst()
                if let waiter = state.waiters.removeValue(forKey: id) { return .handOver(waiter) }
            }
            state.inUse -= 1
            state.idle.append(connection)
            return .keep
        }
        switch action {
        case .keep:
            break
        case .close:
            connection.close()
        case .handOver(let waiter):
            waiter.timeout?.cancel()
            waiter.continuation.resume(returning: connection)
        }
    }

    /// Closes a connection that is counted in use, freeing its slot for a waiter.
    private func discard(_ connection: PostgresConnection) {
        connection.close()
        state.withLockedValue { $0.inUse -= 1 }
        wakeOneWaiterToOpen()
    }

    /// A slot freed while someone waits: open a connection on the waiter's behalf.
    private func wakeOneWaiterToOpen() {
        let waiter = state.withLockedValue { state -> Waiter? in
            guard state.total < options.maximumConnections else { return nil }
            while !state.waiterOrder.isEmpty {
                let id = state.waiterOrder.removeFirst()
                if let waiter = state.waiters.removeValue(forKey: id) {
                    state.opening += 1
                    return waiter
                }
            }
            return nil
        }
        guard let waiter else { return }
        waiter.timeout?.cancel()
        let configuration = configuration
        let logger = logger
        // The waiter's own task is suspended in a continuation; the connect runs on the
        // pool's thread pool and its result resumes that task.
        threadPool.submit { [self] _ in
            let result = Result { try PostgresConnection.connectBlocking(configuration, threadPool: threadPool, logger: logger) }
            state.withLockedValue { state in
                state.opening -= 1
                if case .success = result { state.inUse += 1 }
            }
            waiter.continuation.resume(with: result)
        }
    }
}

extension Duration {
    var nanoseconds: Int64 {
        components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000
    }
}

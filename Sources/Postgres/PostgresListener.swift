import CLibPQ
import Foundation
import Logging
import NIOConcurrencyHelpers

/// A notification received on a `LISTEN`ed channel.
public struct PostgresNotification: Sendable, Equatable {
    public var channel: String
    public var payload: String
    /// The server process that sent it.
    public var senderPID: Int32

    public init(channel: String, payload: String, senderPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.senderPID = senderPID
    }
}

/// What a ``PostgresListener`` reports.
public enum PostgresListenerEvent: Sendable, Equatable {
    /// `LISTEN` is in place: the first time, and again after every reconnection.
    /// Notifications sent while the connection was down are lost, so a consumer
    /// re-reads the state it follows when it sees this event.
    case listening
    case notification(PostgresNotification)
}

/// `LISTEN` on a dedicated connection and thread, as an `AsyncSequence`.
///
/// The thread sleeps in `poll()` on the connection's socket and on a wake-up pipe, so a
/// notification is delivered as soon as it arrives and stopping takes no polling delay.
/// When the connection breaks, the listener reconnects with backoff and listens again.
public struct PostgresListener: AsyncSequence, Sendable {
    public typealias Element = PostgresListenerEvent

    let configuration: PostgresConfiguration
    let channels: [String]
    let logger: Logger

    public init(configuration: PostgresConfiguration, channels: [String], logger: Logger) {
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
    }

    public func makeAsyncIterator() -> AsyncStream<PostgresListenerEvent>.Iterator {
        let (stream, continuation) = AsyncStream.makeStream(
            of: PostgresListenerEvent.self, bufferingPolicy: .bufferingNewest(10_000))
        let loop = ListenLoop(
            configuration: configuration, channels: channels, logger: logger, continuation: continuation)
        continuation.onTermination = { _ in loop.stop() }
        Thread.detachNewThread { loop.run() }
        return stream.makeAsyncIterator()
    }
}

/// The blocking loop behind ``PostgresListener``; owns its `PGconn` on its own thread.
private final class ListenLoop: @unchecked Sendable {
    let configuration: PostgresConfiguration
    let channels: [String]
    let logger: Logger
    let continuation: AsyncStream<PostgresListenerEvent>.Continuation
    // The wake-up pipe: written by `stop()` from any thread, read by the loop's `poll()`.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let stopped = NIOLockedValueBox(false)

    init(
        configuration: PostgresConfiguration, channels: [String], logger: Logger,
        continuation: AsyncStream<PostgresListenerEvent>.Continuation
    ) {
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
        self.continuation = continuation
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
                _ = fcntl(fd, F_SETFL, O_NONBLOCK)
            }
        } else {
            fds = [-1, -1]
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit {
        if wakeRead >= 0 { Glibc.close(wakeRead) }
        if wakeWrite >= 0 { Glibc.close(wakeWrite) }
    }

    func stop() {
        stopped.withLockedValue { $0 = true }
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    private var isStopped: Bool { stopped.withLockedValue { $0 } }

    func run() {
        var backoff = 0.1
        while !isStopped {
            do {
                try listenOnce()
                backoff = 0.1
            } catch {
                if isStopped { break }
                logger.warning(
                    "LISTEN connection lost, reconnecting", metadata: ["error": "\(error)", "retry_in_s": "\(backoff)"])
                _ = waitReadable(socket: -1, timeoutMilliseconds: Int32(backoff * 1000))
                backoff = min(backoff * 2, 5)
            }
        }
        continuation.finish()
    }

    /// Connects, listens, and delivers until the connection breaks (throws) or `stop()`.
    private func listenOnce() throws {
        let connection = try PostgresConnection.connectBlocking(
            configuration, threadPool: BlockingThreads.pool, logger: logger)
        defer { connection.close() }
        try connection.withListenHandle { handle in
            for channel in channels {
                let quoted = try PostgresConnection.quoteIdentifier(channel, handle)
                let result = PQexec(handle, "LISTEN \(quoted)")
                defer { PQclear(result) }
                try PostgresConnection.check(result, handle)
            }
            continuation.yield(.listening)
            let socket = PQsocket(handle)
            while !isStopped {
                guard waitReadable(socket: socket, timeoutMilliseconds: -1) else { continue }
                if isStopped { return }
                if PQconsumeInput(handle) == 0 || PQstatus(handle) != CONNECTION_OK {
                    throw PostgresError(
                        code: .connectionClosed,
                        message: String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines)
                }
                while let notify = PQnotifies(handle) {
                    let event = PostgresNotification(
                        channel: String(cString: notify.pointee.relname),
                        payload: String(cString: notify.pointee.extra),
                        senderPID: notify.pointee.be_pid)
                    PQfreemem(notify)
                    continuation.yield(.notification(event))
                }
            }
        }
    }

    /// Sleeps until `socket` is readable (true) or the wake-up pipe is written / the
    /// timeout passes (false). Drains the pipe.
    private func waitReadable(socket: Int32, timeoutMilliseconds: Int32) -> Bool {
        var descriptors = [
            pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0),
            pollfd(fd: socket, events: Int16(POLLIN), revents: 0),
        ]
        let count = socket >= 0 ? 2 : 1
        let ready = poll(&descriptors, nfds_t(count), timeoutMilliseconds)
        if ready <= 0 { return false }
        if descriptors[0].revents != 0 {
            var buffer = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &buffer, buffer.count) > 0 {}
        }
        return count == 2 && descriptors[1].revents != 0
    }
}

extension PostgresConnection {
    /// Gives the listener loop the raw handle on its own thread, under the lock.
    func withListenHandle<T>(_ body: (OpaquePointer) throws -> T) throws -> T {
        try withHandle(body)
    }
}

extension PostgresPool {
    /// Sends `payload` on `channel` (`pg_notify`); delivered when the surrounding transaction commits.
    public func notify(channel: String, payload: String = "") async throws {
        try await withConnection { try await $0.notify(channel: channel, payload: payload) }
    }
}

extension PostgresConnection {
    /// Sends `payload` on `channel` (`pg_notify`); delivered when the current transaction commits.
    public func notify(channel: String, payload: String = "") async throws {
        try await query("SELECT pg_notify(\(channel), \(payload))")
    }
}

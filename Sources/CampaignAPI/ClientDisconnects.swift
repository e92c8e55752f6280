import NIOCore
import Synchronization

/// Tells a waiting request that its client went away.
///
/// The HTTP server allows half-closed connections, so a client that closes its socket
/// does not close the channel: the server only sees its input end (`inputClosed`), and the
/// channel stays open until the request's answer is written. A long poll would keep its
/// wait, and its memory, until `wait` runs out. ``handler()`` goes in every connection's
/// pipeline and reports the end of input; ``whileConnected(_:onDisconnect:_:)`` runs an
/// action (end the wait) when that happens during a request.
public final class ClientDisconnects: Sendable {
    private struct State {
        /// The action of the request waiting on each connection (at most one: HTTP/1.1
        /// answers one request at a time).
        var armed: [ObjectIdentifier: @Sendable () -> Void] = [:]
        /// Connections whose client has closed its side; forgotten when the channel closes.
        var inputClosed: Set<ObjectIdentifier> = []
    }

    private let state = Mutex(State())

    public init() {}

    /// A new handler for one connection's pipeline.
    public func handler() -> any RemovableChannelHandler {
        Handler(disconnects: self)
    }

    /// Runs `body`; if the client of `channel` closes its side meanwhile (or had already),
    /// calls `onDisconnect` once.
    func whileConnected<T>(
        _ channel: (any Channel)?,
        onDisconnect: @escaping @Sendable () -> Void,
        isolation actor: isolated (any Actor)? = #isolation,
        _ body: () async throws -> T
    ) async rethrows -> T {
        guard let channel else { return try await body() }
        let key = ObjectIdentifier(channel)
        let gone = state.withLock { state in
            if state.inputClosed.contains(key) { return true }
            state.armed[key] = onDisconnect
            return false
        }
        if gone { onDisconnect() }
        defer { state.withLock { _ = $0.armed.removeValue(forKey: key) } }
        return try await body()
    }

    /// Waits being armed right now (for tests and metrics).
    var armedCount: Int { state.withLock { $0.armed.count } }

    fileprivate func inputClosed(_ key: ObjectIdentifier) {
        let action = state.withLock { state in
            state.inputClosed.insert(key)
            return state.armed.removeValue(forKey: key)
        }
        action?()
    }

    fileprivate func closed(_ key: ObjectIdentifier) {
        let action = state.withLock { state in
            state.inputClosed.remove(key)
            return state.armed.removeValue(forKey: key)
        }
        action?()
    }

    private final class Handler: ChannelInboundHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        let disconnects: ClientDisconnects

        init(disconnects: ClientDisconnects) {
            self.disconnects = disconnects
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            context.fireChannelRead(data)
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case .some(ChannelEvent.inputClosed) = event as? ChannelEvent {
                disconnects.inputClosed(ObjectIdentifier(context.channel))
            }
            context.fireUserInboundEventTriggered(event)
        }

        func channelInactive(context: ChannelHandlerContext) {
            disconnects.closed(ObjectIdentifier(context.channel))
            context.fireChannelInactive()
        }
    }
}

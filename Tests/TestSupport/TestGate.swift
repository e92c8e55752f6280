import Synchronization

/// Holds a piece of code at a point until the test lets it go, once: the code calls
/// ``hold()``, the test waits with ``untilHeld()``, does what must happen meanwhile, then
/// calls ``release()``. Later calls of `hold()` pass straight through.
public final class TestGate: Sendable {
    private let armed = Mutex(true)
    private let reached: AsyncStream<Void>.Continuation
    private let reachedStream: AsyncStream<Void>
    private let released: AsyncStream<Void>.Continuation
    private let releasedStream: AsyncStream<Void>

    public init() {
        (reachedStream, reached) = AsyncStream.makeStream()
        (releasedStream, released) = AsyncStream.makeStream()
    }

    /// The first call waits for ``release()``; later ones pass.
    public func hold() async {
        let first = armed.withLock { armed in
            defer { armed = false }
            return armed
        }
        guard first else { return }
        reached.yield()
        for await _ in releasedStream { break }
    }

    /// Returns once the code is held.
    public func untilHeld() async { for await _ in reachedStream { break } }

    public func release() { released.yield() }
}

import Foundation

/// How long to wait before trying again what failed: `base` after the first failure,
/// doubled after each further one, never more than `cap`; with `jitter` (0.2: ±20 %) so
/// that retries of many things that failed together spread out. Jobs and webhook
/// deliveries both retry this way, with their own cap.
public struct Backoff: Sendable, Equatable {
    public var base: Duration
    public var cap: Duration
    public var jitter: Double

    public init(base: Duration, cap: Duration, jitter: Double = 0) {
        self.base = base
        self.cap = cap
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The wait before the attempt after `attempt` (1-based) failed.
    public func delay(afterAttempt attempt: Int) -> Duration {
        let doubled = base.seconds * Double(1 << min(max(attempt - 1, 0), 30))
        let spread = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter)) : 1
        return .milliseconds(Int64(min(doubled, cap.seconds) * spread * 1000))
    }
}

/// The name under which one process takes work from the shared tables (job leases,
/// webhook endpoint leases): its host, its process id and a random part, so that a
/// restarted process on the same host with a reused pid is still told apart.
public enum WorkerName {
    public static func make() -> String {
        "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier):\(UInt16.random(in: 0...UInt16.max))"
    }
}

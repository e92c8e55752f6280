import Domain
import Logging
import Store

/// `noop`: does nothing; measures the queue itself (benchmarks).
public struct NoopJob: JobHandler {
    public init() {}
    public var kind: JobKind { .noop }
    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {}
}

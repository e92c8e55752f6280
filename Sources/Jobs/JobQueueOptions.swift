import Domain

/// How the workers of a daemon behave.
public struct JobQueueOptions: Sendable {
    /// Concurrent workers in this process.
    public var workers: Int
    /// How long a claimed job is reserved; renewed every third of it while it runs.
    public var lease: Duration
    /// How often idle workers look for due jobs without a wake-up (scheduled jobs, lost NOTIFYs).
    public var pollInterval: Duration
    /// Delay before the second attempt; doubled for each further one, up to `backoffCap`.
    public var backoffBase: Duration
    public var backoffCap: Duration
    /// Jobs a worker claims at once, then runs in one transaction (one commit for all of
    /// them; should one fail, they run again one transaction each).
    public var batch: Int
    /// How long a batch's transaction keeps starting jobs: past it, the jobs done commit
    /// and the others go back to the queue (long jobs do not hold short ones).
    public var batchBudget: Duration
    /// Test hooks (see ``Failpoints``).
    public var failpoints: Failpoints

    public init(
        workers: Int = 2, lease: Duration = .seconds(30), pollInterval: Duration = .seconds(1),
        backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(300), batch: Int = 10,
        batchBudget: Duration = .milliseconds(100), failpoints: Failpoints = Failpoints()
    ) {
        self.workers = max(0, workers)
        self.batch = max(1, batch)
        self.batchBudget = batchBudget
        self.lease = lease
        self.pollInterval = pollInterval
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.failpoints = failpoints
    }

    /// The delay before attempt `attempt + 1`, with ±20 % jitter so retries spread out.
    func backoff(afterAttempt attempt: Int) -> Duration {
        Backoff(base: backoffBase, cap: backoffCap, jitter: 0.2).delay(afterAttempt: attempt)
    }
}

/// Test-only: pauses at named points of a job's transaction, so tests can kill a worker there.
/// Set from `CAMPAIGND_FAILPOINTS`, e.g. `job.before_commit=pause:10` (seconds).
public struct Failpoints: Sendable {
    var pauses: [String: Duration] = [:]

    public init() {}

    public init(parsing text: String) {
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[1].hasPrefix("pause:"), let seconds = Double(parts[1].dropFirst(6)) else { continue }
            pauses[String(parts[0])] = .milliseconds(Int64(seconds * 1000))
        }
    }

    public var isEmpty: Bool { pauses.isEmpty }

    func pause(at name: String) async {
        guard let duration = pauses[name] else { return }
        try? await Task.sleep(for: duration)
    }
}

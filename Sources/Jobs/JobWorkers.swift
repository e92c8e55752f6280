import Domain
import Foundation
import Logging
import Postgres
import ServiceLifecycle
import Store
import Synchronization

/// The job workers of one process, as a service.
///
/// Each worker drains the queue (claim, run, repeat) whenever it is woken: by a `NOTIFY`
/// on the jobs channel (one listening connection per process), or by the poll ticker
/// that also catches scheduled jobs and requeues jobs whose lease expired. On graceful shutdown the workers finish the job in hand and stop claiming.
public struct JobWorkers: Service {
    let store: Store
    let handlers: [JobKind: any JobHandler]
    let options: JobQueueOptions
    let logger: Logger
    let name: String
    let metrics: [JobKind: JobMetrics]
    /// For jobs of a kind no handler knows.
    let unknownKindMetrics = JobMetrics(kind: "unknown")

    public init(store: Store, handlers: [any JobHandler] = .standard, options: JobQueueOptions, logger: Logger) {
        self.store = store
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { $1 })
        self.options = options
        self.logger = logger
        self.name = WorkerName.make()
        self.metrics = Dictionary(uniqueKeysWithValues: self.handlers.keys.map { ($0, JobMetrics(kind: $0.rawValue)) })
    }

    public func run() async throws {
        if !options.failpoints.isEmpty {
            logger.warning("test failpoints are set (CAMPAIGND_FAILPOINTS): job workers pause on purpose; never in production")
        }
        guard options.workers > 0 else {
            try? await gracefulShutdown()
            return
        }
        let wakeups = (0..<options.workers).map { _ in
            AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        }
        let doorbells = Doorbells(wakeups.map(\.continuation))
        logger.info("job workers started", metadata: ["workers": "\(options.workers)", "worker": "\(name)"])
        await withTaskGroup(of: Void.self) { background in
            background.addTask { await listen(doorbells) }
            background.addTask { await tick(ring: doorbells.ringAll) }
            await withTaskGroup(of: Void.self) { workers in
                for (index, wakeup) in wakeups.enumerated() {
                    workers.addTask { await work(wakeup.stream, worker: "\(name)/\(index)", doorbells: doorbells) }
                }
                workers.addTask {
                    try? await gracefulShutdown()
                    wakeups.forEach { $0.continuation.finish() }
                }
            }
            background.cancelAll()
        }
        logger.info("job workers stopped")
    }

    /// Wakes one worker per NOTIFY of the jobs channel (it wakes the next one when it
    /// finds work), and all of them after (re)connecting, when notifications may have been lost.
    private func listen(_ doorbells: Doorbells) async {
        let listener = PostgresListener(
            configuration: store.listenConfiguration, channels: [JobRepository.wakeChannel], logger: logger)
        for await event in listener {
            if case .listening = event { doorbells.ringAll() } else { doorbells.ringOne() }
        }
    }

    /// The polling fallback, and requeueing jobs whose lease expired.
    private func tick(ring: @escaping @Sendable () -> Void) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: options.pollInterval)
            } catch {
                return
            }
            ring()
            do {
                let requeued = try await store.transaction { try await $0.queue.reapExpiredLeases() }
                if requeued > 0 { logger.warning("requeued jobs whose lease expired", metadata: ["jobs": "\(requeued)"]) }
            } catch {
                logger.warning("queue upkeep failed; will retry", metadata: ["error": "\(error)"])
            }
        }
    }

    /// One worker: on each wake-up, run due jobs until none is left. A full batch that ran
    /// whole claims the next one in its own transaction, before it commits (see
    /// `execute(batch:)`), so that a busy worker pays one transaction per batch.
    private func work(_ wakeups: AsyncStream<Void>, worker: String, doorbells: Doorbells) async {
        var failures = 0
        for await _ in wakeups {
            var claimed: [ClaimedJob] = []
            while !Task.isShuttingDownGracefully {
                do {
                    if claimed.isEmpty {
                        claimed = try await JobQueue.claim(in: store, worker: worker, lease: options.lease, limit: options.batch)
                    }
                    guard !claimed.isEmpty else { break }
                    failures = 0
                    // There may be more: let another worker look while this one works.
                    doorbells.ringOne()
                    if Task.isShuttingDownGracefully { break }
                    if claimed.count == 1 {
                        await execute(claimed[0], worker: worker)
                        claimed = []
                    } else {
                        claimed = await execute(batch: claimed, worker: worker, doorbells: doorbells)
                    }
                } catch {
                    // The database is unreachable or restarting: back off, then wait for the next wake-up.
                    failures += 1
                    logger.warning("cannot claim jobs", metadata: ["error": "\(error)", "worker": "\(worker)"])
                    try? await Task.sleep(for: .milliseconds(min(5000, 100 * (1 << min(failures, 6)))))
                    break
                }
            }
            if !claimed.isEmpty {
                // Claimed, not begun: back to the queue untouched (a shutdown).
                await giveBack(claimed)
            }
        }
    }

    private func giveBack(_ claimed: [ClaimedJob]) async {
        do {
            try await store.transaction { try await $0.queue.giveBack(claimed) }
        } catch {
            logger.warning("cannot give jobs back; their leases will expire", metadata: ["error": "\(error)"])
        }
    }

    /// Runs claimed jobs in one transaction: their effects and their completions commit
    /// together, with one commit for all. Should any of them fail (or a kind have no
    /// handler), that transaction rolls back whole and each job runs again in a
    /// transaction of its own, where a failure counts for that job alone.
    ///
    /// Jobs that take long do not hold the others: once `options.batchBudget` has passed,
    /// the jobs done so far commit and the rest go back to the queue, in that same
    /// transaction, for any worker to take.
    ///
    /// A full batch that ran whole claims the next batch in the same transaction, just
    /// before the commit, and returns it: the claim then costs no transaction of its own
    /// and commits (durably) with the jobs. Should the transaction roll back, so does the
    /// claim, and the jobs stay queued for anyone.
    /// - Returns: the jobs claimed next (none when the batch was not full, stopped early or failed).
    private func execute(batch: [ClaimedJob], worker: String, doorbells: Doorbells) async -> [ClaimedJob] {
        await withTaskGroup(of: Void.self, returning: [ClaimedJob].self) { group in
            group.addTask { await heartbeat(batch) }
            let started = ContinuousClock.now
            do {
                let (ran, returned, next) = try await store.transaction { transaction -> ([ClaimedJob], Int, [ClaimedJob]) in
                    let ours = try await transaction.queue.confirm(batch)
                    let runnable = batch.filter { ours.contains($0.job.id) }
                    let begun = ContinuousClock.now
                    var done: [ClaimedJob] = []
                    for claimed in runnable {
                        if !done.isEmpty, ContinuousClock.now - begun > options.batchBudget { break }
                        guard let handler = handlers[claimed.job.kind] else { throw BatchFallback() }
                        try await handler.run(claimed.job, in: transaction, logger: logger(for: claimed))
                        done.append(claimed)
                    }
                    await options.failpoints.pause(at: "job.before_commit")
                    let rest = Array(runnable.dropFirst(done.count))
                    let returned = batch.count - runnable.count
                    if rest.isEmpty, batch.count >= options.batch, !Task.isShuttingDownGracefully {
                        let next = try await transaction.queue.markSucceededAndCommit(
                            done, thenClaim: options.batch, worker: worker, lease: options.lease)
                        return (done, returned, next)
                    }
                    try await transaction.queue.markSucceeded(done)
                    if !rest.isEmpty { try await transaction.queue.giveBack(rest) }
                    return (done, returned, [])
                }
                let elapsed = ContinuousClock.now - started
                for claimed in ran {
                    let metrics = metrics[claimed.job.kind] ?? unknownKindMetrics
                    metrics.attempts.increment()
                    metrics.succeeded.increment()
                    metrics.duration.record(duration: elapsed)
                }
                if returned > 0 {
                    logger.warning("jobs were taken back before they ran (lease expired)", metadata: ["jobs": "\(returned)"])
                }
                if ran.count + returned < batch.count {
                    // Given back for the time budget: wake a worker for them.
                    doorbells.ringOne()
                }
                logger.debug("jobs succeeded", metadata: ["jobs": "\(ran.count)"])
                group.cancelAll()
                return next
            } catch {
                if !(error is BatchFallback) {
                    logger.debug("a batch of jobs failed; running them one by one", metadata: ["error": "\(error)"])
                }
                for (index, claimed) in batch.enumerated() {
                    if Task.isShuttingDownGracefully {
                        // Finish the job in hand only: the others go back untouched.
                        await giveBack(Array(batch[index...]))
                        break
                    }
                    await execute(claimed, worker: worker)
                }
            }
            group.cancelAll()
            return []
        }
    }

    /// The workers' logger, with the job's id and kind on every line.
    private func logger(for claimed: ClaimedJob) -> Logger {
        var logger = logger
        logger[metadataKey: "job_id"] = "\(claimed.job.id)"
        logger[metadataKey: "job_kind"] = "\(claimed.job.kind)"
        return logger
    }

    private func execute(_ claimed: ClaimedJob, worker: String) async {
        let logger = logger(for: claimed)
        let metrics = metrics[claimed.job.kind] ?? unknownKindMetrics
        metrics.attempts.increment()
        let started = ContinuousClock.now
        guard let handler = handlers[claimed.job.kind] else {
            await fail(claimed, error: "no handler for job kind \(claimed.job.kind)", metrics: metrics, logger: logger)
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await heartbeat([claimed]) }
            do {
                let ran = try await store.transaction { transaction -> Bool in
                    guard try await transaction.queue.confirm(claimed) else { return false }
                    try await handler.run(claimed.job, in: transaction, logger: logger)
                    await options.failpoints.pause(at: "job.before_commit")
                    try await transaction.queue.markSucceeded([claimed])
                    return true
                }
                if ran {
                    metrics.succeeded.increment()
                    metrics.duration.record(duration: ContinuousClock.now - started)
                    logger.debug("job succeeded")
                } else {
                    logger.warning("job was taken back before it ran (lease expired)")
                }
            } catch {
                await fail(claimed, error: "\(error)", metrics: metrics, logger: logger)
            }
            group.cancelAll()
        }
    }

    /// Records a failed attempt, so that the job runs again after its backoff (or fails for
    /// good). A job often fails because the database went away; recording that failure
    /// then meets a dead connection or a server still restarting, so a connection failure
    /// is retried, on a fresh connection, for at most one lease (past it the reaper requeues
    /// the job anyway).
    /// `markFailed` changes only the attempt it names: a retry whose first try did commit
    /// changes nothing more.
    private func fail(_ claimed: ClaimedJob, error: String, metrics: JobMetrics, logger: Logger) async {
        let deadline = ContinuousClock.now + options.lease
        var pause = Duration.milliseconds(50)
        while true {
            do {
                let status = try await store.transaction {
                    try await $0.queue.markFailed(claimed, error: error, backoff: options.backoff(afterAttempt: claimed.attempt))
                }
                (status == .failed ? metrics.failed : metrics.retried).increment()
                logger.warning(
                    "job attempt failed",
                    metadata: ["error": "\(error)", "attempt": "\(claimed.attempt)", "now": "\(status?.rawValue ?? "?")"])
                return
            } catch let failure as PostgresError where failure.isConnectionFailure && ContinuousClock.now + pause < deadline {
                logger.info("cannot reach the database to record a job failure; trying again", metadata: ["error": "\(failure)"])
                do { try await Task.sleep(for: pause) } catch { return }
                pause = min(pause * 2, .seconds(2))
            } catch {
                logger.error("cannot record a job failure; its lease will expire", metadata: ["error": "\(error)"])
                return
            }
        }
    }

    private func heartbeat(_ claimed: [ClaimedJob]) async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: options.lease / 3)
                try await store.transaction { try await $0.queue.heartbeat(claimed, lease: options.lease) }
            } catch {
                if Task.isCancelled { return }
                logger.warning("cannot renew a job lease", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// A batch of jobs runs again one job at a time (a kind without a handler: its failure
/// is recorded by the one-job path).
struct BatchFallback: Error {}

/// The wake-up streams of a process's workers.
final class Doorbells: Sendable {
    let continuations: [AsyncStream<Void>.Continuation]
    private let next = Mutex(0)

    init(_ continuations: [AsyncStream<Void>.Continuation]) {
        self.continuations = continuations
    }

    /// Wakes the workers in turn, one per call.
    func ringOne() {
        guard !continuations.isEmpty else { return }
        let index = next.withLock { next in
            defer { next = (next + 1) % continuations.count }
            return next
        }
        continuations[index].yield()
    }

    func ringAll() {
        continuations.forEach { $0.yield() }
    }
}

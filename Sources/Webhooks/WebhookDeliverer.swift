import Domain
import Foundation
import Logging
import Metrics
import Postgres
import ServiceLifecycle
import Store
import Synchronization

/// How webhooks are delivered (`serve` and `worker` options).
public struct WebhookOptions: Sendable {
    /// Loopback, link-local and private targets allowed (`--webhook-allow-private`).
    public var allowPrivate: Bool
    /// An attempt without an answer by then fails (10 s).
    public var timeout: Duration
    /// Failed attempts are retried for this long from the first, then the endpoint is disabled (24 h).
    public var retryWindow: Duration
    /// The wait after a first failure, doubled after each further one (`--job-backoff`)…
    public var backoffBase: Duration
    /// …up to this (1 h).
    public var backoffCap: Duration
    /// Endpoints served at once by this daemon (each has at most one delivery in flight).
    public var concurrency: Int
    /// How often the idle loop looks for retries that came due.
    public var pollInterval: Duration

    public init(
        allowPrivate: Bool = false, timeout: Duration = .seconds(10), retryWindow: Duration = .seconds(86_400),
        backoffBase: Duration = .seconds(1), backoffCap: Duration = .seconds(3600), concurrency: Int = 32,
        pollInterval: Duration = .seconds(1)
    ) {
        self.allowPrivate = allowPrivate
        self.timeout = timeout
        self.retryWindow = retryWindow
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.concurrency = max(1, concurrency)
        self.pollInterval = pollInterval
    }

    /// While busy, endpoints are claimed once this many slots are free.
    var claimBatch: Int { max(1, concurrency / 4) }

    /// An endpoint's lease: long enough for one attempt, renewed at every attempt.
    var lease: Duration { timeout * 2 + .seconds(5) }

    /// The wait before the attempt after `attempt` (1-based) failed.
    func backoff(afterAttempt attempt: Int) -> Duration {
        Backoff(base: backoffBase, cap: backoffCap).delay(afterAttempt: attempt)
    }
}

/// Sends the outbox's deliveries (``WebhookDeliveryQueue``): woken by `NOTIFY` when
/// deliveries are queued, and every `pollInterval` for retries. Each endpoint it leases
/// is served by one task, one delivery at a time, in cursor order, until the endpoint
/// has nothing due; up to `concurrency` endpoints at once.
public final class WebhookDeliverer: Service, Sendable {
    let store: Store
    let options: WebhookOptions
    let sender: WebhookSender
    let logger: Logger
    let holder: String
    let advancer: WebhookAdvancer
    let enabled: Bool
    private let serving = Mutex(0)
    private let counters: (delivered: Counter, retried: Counter, failed: Counter)

    /// - Parameter enabled: false in a daemon without workers (`--workers 0`): it sends nothing.
    public init(store: Store, options: WebhookOptions, logger: Logger, enabled: Bool = true) {
        self.enabled = enabled
        self.store = store
        self.options = options
        self.logger = logger
        self.sender = WebhookSender(
            policy: WebhookAddressPolicy(allowPrivate: options.allowPrivate), timeout: options.timeout,
            connectionsPerHost: options.concurrency)
        self.holder = WorkerName.make()
        self.advancer = WebhookAdvancer(store: store, holder: holder, lease: options.lease, batch: options.concurrency)
        let label = "campaignd_webhook_attempts_total"
        counters = (
            Counter(label: label, dimensions: [("outcome", "delivered")]),
            Counter(label: label, dimensions: [("outcome", "retried")]),
            Counter(label: label, dimensions: [("outcome", "failed")])
        )
    }

    public func run() async throws {
        guard enabled else {
            try? await gracefulShutdown()
            return
        }
        if options.allowPrivate {
            logger.warning("webhooks may be sent to loopback, link-local and private addresses (--webhook-allow-private)")
        }
        let (wakeups, doorbell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        await withTaskGroup(of: Void.self) { background in
            background.addTask { [store, logger] in
                let listener = PostgresListener(
                    configuration: store.listenConfiguration, channels: [WebhookOutbox.wakeChannel], logger: logger)
                for await _ in listener { doorbell.yield() }
            }
            background.addTask { [options] in
                while (try? await Task.sleep(for: options.pollInterval)) != nil { doorbell.yield() }
            }
            background.addTask {
                try? await gracefulShutdown()
                doorbell.finish()
            }
            await withTaskGroup(of: Void.self) { endpoints in
                for await _ in wakeups {
                    await claim(into: &endpoints, doorbell: doorbell)
                }
                // Shutting down: the deliveries in flight finish (each within `timeout`).
                await endpoints.waitForAll()
            }
            background.cancelAll()
        }
        await sender.shutdown()
    }

    /// Leases what endpoints this daemon has room for and starts serving them.
    private func claim(into endpoints: inout TaskGroup<Void>, doorbell: AsyncStream<Void>.Continuation) async {
        let busy = serving.withLock { $0 }
        let room = options.concurrency - busy
        // Claims go in batches while busy: each claim reads the pending deliveries, so
        // one per finished endpoint would cost more than the deliveries themselves.
        guard room > 0, busy == 0 || room >= options.claimBatch, !Task.isShuttingDownGracefully else { return }
        let claimed: [WebhookDeliveryQueue.Endpoint]
        do {
            claimed = try await store.transaction {
                try await $0.webhookDeliveries.claim(holder: holder, lease: options.lease, limit: room)
            }
        } catch {
            logger.warning("cannot claim webhook endpoints; will retry", metadata: ["error": "\(error)"])
            return
        }
        serving.withLock { $0 += claimed.count }
        for endpoint in claimed {
            endpoints.addTask {
                await self.serve(endpoint)
                self.serving.withLock { $0 -= 1 }
                // Room again: there may be endpoints waiting for it.
                doorbell.yield()
            }
        }
        // A full claim may have left more behind.
        if claimed.count == room { doorbell.yield() }
    }

    /// Sends the endpoint's due deliveries in order until none is left or one fails. A
    /// delivery's outcome and the endpoint's next attempt are one transaction, shared
    /// with the other endpoints advancing at the same moment (``WebhookAdvancer``).
    func serve(_ endpoint: WebhookDeliveryQueue.Endpoint) async {
        do {
            var next = try await advancer.advance(endpoint)
            while let attempt = next {
                let timestamp = Int(Date().timeIntervalSince1970)
                let outcome = await sender.send(
                    url: endpoint.url, eventID: attempt.eventID, timestamp: timestamp,
                    signature: WebhookSignature.sign(
                        secret: endpoint.secret, id: attempt.eventID, timestamp: timestamp, body: attempt.body),
                    body: attempt.body)
                switch outcome {
                case .delivered(let statusCode):
                    if Task.isShuttingDownGracefully {
                        try await store.transaction { transaction in
                            try await transaction.webhookDeliveries.delivered(attempt, statusCode: statusCode)
                            try await transaction.webhookDeliveries.release(endpoint, holder: holder)
                        }
                        next = nil
                    } else {
                        next = try await advancer.advance(endpoint, delivered: (attempt.deliveryID, statusCode))
                    }
                    counters.delivered.increment()
                case .failed(let statusCode, let error):
                    let disabled = try await store.transaction {
                        try await $0.webhookDeliveries.failed(
                            attempt, endpoint: endpoint, holder: holder, statusCode: statusCode, error: error,
                            retryAfter: options.backoff(afterAttempt: attempt.attempt), window: options.retryWindow)
                    }
                    (disabled ? counters.failed : counters.retried).increment()
                    logger.log(
                        level: disabled ? .warning : .info,
                        disabled ? "webhook endpoint disabled: its deliveries failed for the whole retry window" : "webhook attempt failed; will retry",
                        metadata: [
                            "webhook": "\(endpoint.id)", "delivery": "\(attempt.deliveryID)", "attempt": "\(attempt.attempt)",
                            "error": "\(error)",
                        ])
                    return
                }
            }
        } catch {
            // The lease runs out and the endpoint is served again, by this daemon or another.
            logger.warning("cannot serve a webhook endpoint; will retry", metadata: ["webhook": "\(endpoint.id)", "error": "\(error)"])
        }
    }
}

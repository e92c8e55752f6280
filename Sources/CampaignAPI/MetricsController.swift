import Hummingbird
import Metrics
import Postgres
import Store

/// `GET /metrics`: Prometheus text. The gauges that describe state (pool, queue, long
/// polls) are sampled when scraped; counters and timers are kept as things happen.
public struct MetricsController: Sendable {
    let pool: PostgresPool
    let hub: NotificationHub
    /// Renders the registry (the process bootstraps the metrics system, not this library).
    let render: @Sendable () -> [UInt8]

    public init(pool: PostgresPool, hub: NotificationHub, render: @escaping @Sendable () -> [UInt8]) {
        self.pool = pool
        self.hub = hub
        self.render = render
    }

    private struct Gauges: Sendable {
        let inUse = Gauge(label: "campaignd_pool_connections", dimensions: [("state", "in_use")])
        let idle = Gauge(label: "campaignd_pool_connections", dimensions: [("state", "idle")])
        let opening = Gauge(label: "campaignd_pool_connections", dimensions: [("state", "opening")])
        let waiting = Gauge(label: "campaignd_pool_waiting_requests")
        let queued = Gauge(label: "campaignd_jobs_queued")
        let oldest = Gauge(label: "campaignd_jobs_oldest_queued_age_seconds")
        let longPolls = Gauge(label: "campaignd_long_poll_waiters")
    }

    public func register<Context: RequestContext>(on router: Router<Context>) {
        let gauges = Gauges()
        router.get("metrics") { _, _ -> Response in
            let statistics = pool.statistics
            gauges.inUse.record(statistics.inUse)
            gauges.idle.record(statistics.idle)
            gauges.opening.record(statistics.opening)
            gauges.waiting.record(statistics.waiting)
            gauges.longPolls.record(hub.waiting)
            // The queue's depth needs the database; without it the last values stay.
            if let depth = try? await Store(pool: pool).transaction({ try await $0.jobs.depth() }) {
                gauges.queued.record(depth.queued)
                gauges.oldest.record(depth.oldestAgeSeconds)
            }
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: render())))
        }
    }
}

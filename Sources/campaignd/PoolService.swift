import Logging
import Postgres
import ServiceLifecycle

/// Runs the connection pool as a service: opens its first connections, retrying with
/// backoff while the database is unreachable, and closes the pool at shutdown (after
/// the services that use it, which the group stops first).
struct PoolService: Service {
    let pool: PostgresPool
    let logger: Logger

    func run() async throws {
        var delay = Duration.milliseconds(250)
        var reported = false
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await pool.prewarm()
            if pool.statistics.idle + pool.statistics.inUse > 0 {
                if reported { logger.notice("database reachable again") }
                break
            }
            if !reported {
                logger.warning("database unreachable; retrying with backoff", metadata: ["database": "\(pool.configuration)"])
                reported = true
            }
            try? await Task.sleep(for: delay)
            delay = min(delay * 2, .seconds(30))
        }
        try? await gracefulShutdown()
        pool.close()
    }
}

import ArgumentParser
import Jobs
import Logging
import Postgres
import ServiceLifecycle
import Store
import Webhooks

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run job workers only (no HTTP) until SIGTERM or SIGINT, which finish the jobs in hand.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var jobs: JobOptions
    @OptionGroup var scale: ScaleOptions
    @OptionGroup var shutdown: ShutdownOptions

    func run() async throws {
        let logger = try global.makeLogger(defaultLevel: "info")
        var options = try jobs.resolve(global)
        options.workers = max(options.workers, 1)
        let database = try await DatabaseSession.open(global, files: try global.loadMigrations(), logger: logger)
        try await database.run {
            let pool = PostgresPool(
                configuration: database.serviceConfiguration,
                options: PostgresPoolOptions(minimumConnections: 1, maximumConnections: options.workers * 2 + 4),
                logger: logger)
            let store = Store(
                pool: pool, reminderLead: try jobs.lead(global),
                listenConfiguration: try scale.listenConfiguration(global, database: database))
            let group = try shutdown.makeGroup(
                [
                    PoolService(pool: pool, logger: logger),
                    JobWorkers(store: store, options: options, logger: logger),
                    WebhookDeliverer(store: store, options: try jobs.webhooks(global), logger: logger),
                    Upkeep(store: store, options: try jobs.retention(global), logger: logger),
                ], global: global, logger: logger)
            try await group.run()
            logger.notice("stopped")
        }
    }
}

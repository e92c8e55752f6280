import ArgumentParser
import CampaignAPI
import Hummingbird
import Jobs
import Logging
import Metrics
import Postgres
import Prometheus
import ServiceLifecycle
import Store
import Webhooks

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API until SIGTERM or SIGINT (migrating the embedded cluster first).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var jobs: JobOptions
    @OptionGroup var scale: ScaleOptions
    @OptionGroup var shutdown: ShutdownOptions

    @Option(help: "Address to listen on (env CAMPAIGND_HOST; default 127.0.0.1)")
    var host: String?

    @Option(help: "TCP port; 0 picks a free one (env CAMPAIGND_PORT; default 8080)")
    var port: Int?

    @Option(name: .customLong("pool-size"), help: "Most database connections this daemon opens (env CAMPAIGND_POOL_SIZE; default 10)")
    var poolSize: Int?

    @Flag(name: .customLong("allow-self-approval"), help: "Let the operator who submitted a package approve or reject it (env CAMPAIGND_ALLOW_SELF_APPROVAL=1; default: four eyes)")
    var allowSelfApproval = false

    @Option(name: .customLong("password-attempts"), help: "Wrong passwords allowed per operator in 15 minutes, four times as many per client address (env CAMPAIGND_PASSWORD_ATTEMPTS; default 5)")
    var passwordAttempts: Int?

    @Option(name: .customLong("password-cost"), help: "scrypt cost of new password hashes, log2 of N, 10 to 20 (env CAMPAIGND_PASSWORD_COST; default 17, OWASP's minimum; lower only for tests)")
    var passwordCost: Int?

    @Flag(name: .customLong("cookie-secure"), help: "Mark the pages' cookies Secure: the daemon is reached over TLS (env CAMPAIGND_COOKIE_SECURE=1)")
    var cookieSecure = false

    @Option(name: .customLong("session-idle"), help: "Seconds a signed-in page session lasts unused (env CAMPAIGND_SESSION_IDLE; default 28800, 8 h)")
    var sessionIdle: Double?

    @Option(name: .customLong("token-cache"), help: "Seconds an authenticated token is remembered; revocations and disabled owners end it at once (env CAMPAIGND_TOKEN_CACHE; default 5)")
    var tokenCache: Double?

    /// A boolean environment variable: `1`, `true` or `yes`.
    static func isOn(_ value: String?) -> Bool { ["1", "true", "yes"].contains(value?.lowercased() ?? "") }

    func run() async throws {
        let logger = try global.makeLogger(defaultLevel: "info")
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let host = global.setting(host, "CAMPAIGND_HOST", default: "127.0.0.1") ?? "127.0.0.1"
        guard let port = Int(global.setting(port.map(String.init), "CAMPAIGND_PORT", default: "8080") ?? ""),
            (0...65535).contains(port)
        else { throw ValidationError("the port must be a number from 0 to 65535") }
        guard let poolSize = Int(global.setting(poolSize.map(String.init), "CAMPAIGND_POOL_SIZE", default: "10") ?? ""),
            poolSize > 0
        else { throw ValidationError("the pool size must be a positive number") }

        let jobOptions = try jobs.resolve(global)
        guard let attempts = Int(global.setting(passwordAttempts.map(String.init), "CAMPAIGND_PASSWORD_ATTEMPTS", default: "5") ?? ""),
            attempts > 0
        else { throw ValidationError("the number of password attempts must be a positive number") }
        let apiOptions = APIOptions(
            allowSelfApproval: allowSelfApproval || Self.isOn(global.environment["CAMPAIGND_ALLOW_SELF_APPROVAL"]),
            tokenCacheLifetime: GlobalOptions.duration(try global.positiveNumber(tokenCache, "CAMPAIGND_TOKEN_CACHE", 5)),
            passwordLimits: PasswordCheck.Limits(perOperator: attempts, perAddress: 4 * attempts),
            cookieSecure: cookieSecure || Self.isOn(global.environment["CAMPAIGND_COOKIE_SECURE"]),
            sessionIdle: GlobalOptions.duration(try global.positiveNumber(sessionIdle, "CAMPAIGND_SESSION_IDLE", 28_800)),
            webhookAllowPrivate: jobs.allowsPrivateWebhooks(global), reminderLead: try jobs.lead(global))
        let webhookOptions = try jobs.webhooks(global)
        let files = try global.loadMigrations()
        let database = try await DatabaseSession.open(global, files: files, logger: logger)
        try await database.run {
            let listen = try scale.listenConfiguration(global, database: database)
            let pool = PostgresPool(
                configuration: database.serviceConfiguration,
                options: PostgresPoolOptions(minimumConnections: 1, maximumConnections: poolSize + jobOptions.workers + 2),
                logger: logger)
            // The long-poll hub reads on a connection of its own: a burst of requests that
            // holds the main pool must not delay the wake-ups.
            let hubPool = PostgresPool(
                configuration: database.serviceConfiguration,
                options: PostgresPoolOptions(minimumConnections: 1, maximumConnections: 2), logger: logger)
            defer { hubPool.close() }
            let replicas = try scale.replicas(global, primary: pool, listen: listen, logger: logger)
            let hubStore = Store(pool: hubPool, listenConfiguration: listen, replicas: replicas)
            let hub = NotificationHub(store: hubStore, logger: logger)
            let eventHub = EventHub(store: hubStore, logger: logger)
            let store = Store(pool: pool, reminderLead: apiOptions.reminderLead, listenConfiguration: listen, replicas: replicas)
            let disconnects = ClientDisconnects()
            let tokens = TokenStore(pool: pool, cacheLifetime: apiOptions.tokenCacheLifetime)
            let sessions = SessionStore(
                pool: pool, idleTimeout: apiOptions.sessionIdle, cacheLifetime: apiOptions.tokenCacheLifetime)
            let router = CampaignAPI.makeRouter(
                pool: pool, migrations: files, hub: hub, eventHub: eventHub, disconnects: disconnects, options: apiOptions, tokens: tokens,
                sessions: sessions,
                passwords: PasswordHasher(parameters: try global.passwordParameters(passwordCost)),
                renderMetrics: { registry.emitToBuffer() }, replicas: replicas, listenConfiguration: listen)
            let app = Application(
                router: router,
                server: .http1(configuration: .init(additionalChannelHandlers: [disconnects.handler()])),
                configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "campaignd"),
                onServerRunning: { channel in
                    logger.notice("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
                    // Where a person points a browser (a wildcard address is reached on this machine).
                    if let port = channel.localAddress?.port {
                        let shown = ["0.0.0.0", "::", ""].contains(host) ? "127.0.0.1" : host.contains(":") ? "[\(host)]" : host
                        logger.notice(
                            "web pages",
                            metadata: ["console": "http://\(shown):\(port)/console/", "portal": "http://\(shown):\(port)/portal/"])
                    }
                },
                logger: logger)
            // Stopped in reverse order: the hub first (long polls answer empty), then
            // HTTP (in-flight requests finish), then the workers (jobs in hand finish), the pool last.
            let group = try shutdown.makeGroup(
                [
                    PoolService(pool: pool, logger: logger),
                    JobWorkers(store: store, options: jobOptions, logger: logger),
                    WebhookDeliverer(store: store, options: webhookOptions, logger: logger, enabled: jobOptions.workers > 0),
                    Upkeep(store: store, options: try jobs.retention(global), logger: logger),
                    AccessWatch(tokens: tokens, sessions: sessions, configuration: listen, logger: logger),
                    app,
                    hub,
                    eventHub,
                ] + (replicas.map { [ReplicaMonitor(replicas: $0)] } ?? []), global: global, logger: logger)
            try await group.run()
            logger.notice("stopped")
        }
    }
}

import Hummingbird
import Migrations
import Postgres
import Store
import Webhooks

/// Builds the router of the whole HTTP API.
public enum CampaignAPI {
    /// - Parameters:
    ///   - tokens: the daemon's tokens (shared with its ``AccessWatch``); by default a
    ///     store of its own with `options`' cache lifetime.
    ///   - sessions: the pages' sessions (shared with its ``AccessWatch`` too); by default
    ///     a store of its own that remembers nothing.
    ///   - renderMetrics: the Prometheus text of `/metrics`; without it the route is absent.
    public static func makeRouter(
        pool: PostgresPool, migrations: [MigrationFile], hub: NotificationHub? = nil, eventHub: EventHub? = nil,
        disconnects: ClientDisconnects = ClientDisconnects(), options: APIOptions = APIOptions(),
        tokens: TokenStore? = nil, sessions: SessionStore? = nil, passwords: PasswordHasher = PasswordHasher(),
        renderMetrics: (@Sendable () -> [UInt8])? = nil, replicas: ReplicaSet? = nil,
        listenConfiguration: PostgresConfiguration? = nil
    ) -> Router<APIContext> {
        let store = Store(
            pool: pool, reminderLead: options.reminderLead, listenConfiguration: listenConfiguration, replicas: replicas)
        let hub = hub ?? NotificationHub(store: store, logger: pool.logger)
        let eventHub = eventHub ?? EventHub(store: store, logger: pool.logger)
        // A polling client presents the same token every few seconds: remember it briefly.
        let tokens = tokens ?? TokenStore(pool: pool, cacheLifetime: options.tokenCacheLifetime)
        let sessions = sessions ?? SessionStore(pool: pool, idleTimeout: options.sessionIdle)
        let router = Router(context: APIContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: ProblemMiddleware())
        HealthController(readiness: Readiness(pool: pool, files: migrations, replicas: replicas)).register(on: router)
        if let renderMetrics {
            MetricsController(pool: pool, hub: hub, render: renderMetrics).register(on: router)
        }
        let v1 = router.group("v1").add(middleware: AuthMiddleware(tokens: tokens))
            .add(middleware: WriteFenceMiddleware(replicas: store.replicas))
        EntitiesController(store: store, tokens: tokens, sessions: sessions).register(on: v1)
        let passwordCheck = PasswordCheck(store: store, hasher: passwords, limits: options.passwordLimits)
        let notifications = FeedPolling(reader: FeedReader(store: store), hub: hub, disconnects: disconnects)
        let events = FeedPolling(reader: EventReader(store: store), hub: eventHub, disconnects: disconnects)
        OperatorsController(store: store, tokens: tokens, sessions: sessions, passwords: passwordCheck).register(on: v1)
        TokensController(store: store, tokens: tokens).register(on: v1)
        ConsoleController(store: store, sessions: sessions, passwords: passwordCheck, tokens: tokens, options: options)
            .register(on: router)
        PortalController(store: store, sessions: sessions, passwords: passwordCheck, options: options, notifications: notifications)
            .register(on: router)
        PackagesController(store: store, options: options).register(on: v1)
        OrdersController(store: store).register(on: v1)
        CatalogController(store: store).register(on: v1)
        JobsController(store: store).register(on: v1)
        ProcessesController(store: store).register(on: v1)
        NotificationsController(store: store, feed: notifications).register(on: v1)
        EventsController(feed: events).register(on: v1)
        WebhooksController(store: store, registration: WebhookRegistration(allowPrivate: options.webhookAllowPrivate)).register(on: v1)
        // Last, so that it wraps the not-found answer only, and knows every route.
        router.add(middleware: MethodNotAllowedMiddleware(router.routes.map { ($0.path.description, $0.method) }))
        return router
    }
}

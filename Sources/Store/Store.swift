import Domain
import Postgres

/// The repositories over the central and local schemas, lent inside one transaction.
public struct Store: Sendable {
    public let pool: PostgresPool
    /// How long before an order or approval deadline its reminder goes out (`--reminder-lead`).
    public let reminderLead: Duration
    /// Where `LISTEN` connections go: the pool's database, unless it is reached through
    /// a transaction-pooling PgBouncer, which cannot hold a `LISTEN` (`--listen-url`).
    public let listenConfiguration: PostgresConfiguration

    public init(
        pool: PostgresPool, reminderLead: Duration = Reminders.defaultLead, listenConfiguration: PostgresConfiguration? = nil
    ) {
        self.pool = pool
        self.reminderLead = reminderLead
        self.listenConfiguration = listenConfiguration ?? pool.configuration
    }

    /// Runs `body` in one transaction: every change it makes commits together or not at
    /// all. Serialization failures and deadlocks rerun the whole closure.
    ///
    /// With a local principal, the transaction is scoped to its entity (`SET LOCAL
    /// campaignd.entity_id`): the row level security policies of the `local` schema then
    /// hide every other entity's rows, whatever the queries ask for.
    @discardableResult
    public func transaction<T>(
        for principal: Principal? = nil,
        isolation actor: isolated (any Actor)? = #isolation,
        _ body: (StoreTransaction) async throws -> T
    ) async throws -> T {
        let settings = principal?.entityID.map { [(name: "campaignd.entity_id", value: String($0))] } ?? []
        return try await pool.withTransaction(settings: settings, retryOnConflict: true) { connection in
            try await body(StoreTransaction(connection: connection, reminderLead: reminderLead))
        }
    }
}

/// The repositories, bound to one transaction's connection.
public struct StoreTransaction: Sendable {
    public let connection: PostgresConnection
    public let reminderLead: Duration

    public init(connection: PostgresConnection, reminderLead: Duration = Reminders.defaultLead) {
        self.connection = connection
        self.reminderLead = reminderLead
    }

    public var entities: EntityRepository { EntityRepository(connection: connection) }
    public var packages: PackageRepository { PackageRepository(connection: connection, reminderLead: reminderLead) }
    public var orders: OrderRepository { OrderRepository(connection: connection) }
    public var journal: Journal { Journal(connection: connection) }
    public var jobs: JobRepository { JobRepository(connection: connection) }
    public var notifications: NotificationWriter { NotificationWriter(connection: connection) }
    public var idempotency: IdempotencyRepository { IdempotencyRepository(connection: connection) }
    public var processes: ProcessRepository { ProcessRepository(connection: connection) }
    public var notificationFeed: NotificationFeed { NotificationFeed(connection: connection) }
    public var operators: OperatorRepository { OperatorRepository(connection: connection) }
    public var tokens: TokenRepository { TokenRepository(connection: connection) }
}

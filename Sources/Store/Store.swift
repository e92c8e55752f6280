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
    /// Hot standbys for reads (`--replica-url`); empty: every read is the primary's.
    public let replicas: ReplicaSet?

    public init(
        pool: PostgresPool, reminderLead: Duration = Reminders.defaultLead, listenConfiguration: PostgresConfiguration? = nil,
        replicas: ReplicaSet? = nil
    ) {
        self.pool = pool
        self.reminderLead = reminderLead
        self.listenConfiguration = listenConfiguration ?? pool.configuration
        self.replicas = replicas.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Whose writes a read must see: an entity's own, or the central side's.
    public static func readerKey(_ principal: Principal?) -> String {
        principal?.entityID.map { "entity:\($0)" } ?? "central"
    }

    /// Runs `body`, which only reads, in one transaction on a hot standby that has
    /// replayed the reader's last write (read-your-writes), or on the primary when none
    /// has; scoped to a local principal's entity as ``transaction(for:isolation:_:)`` is.
    /// A standby that fails the read is left for the primary.
    /// - Parameter reader: whose writes it must see, when not `principal` (a read not
    ///   scoped to the entity, for it).
    @discardableResult
    public func read<T>(
        for principal: Principal? = nil, reader: Principal? = nil,
        isolation actor: isolated (any Actor)? = #isolation,
        _ body: (StoreTransaction) async throws -> T
    ) async throws -> T {
        let standby = replicas.map { $0.pool(replayedPast: $0.fence(of: [Self.readerKey(reader ?? principal)])) } ?? pool
        return try await readOnStandby(standby) { try await transaction(on: $0, for: principal, body) }
    }

    /// Runs `read` on `standby` (a pool ``ReplicaSet`` chose), and on the primary instead
    /// when that is the primary, or when the standby fails as a standby does
    /// (``ReplicaSet/isStandbyFailure(_:)``).
    public func readOnStandby<T>(
        _ standby: PostgresPool,
        isolation actor: isolated (any Actor)? = #isolation,
        _ read: (PostgresPool) async throws -> T
    ) async throws -> T {
        guard standby !== pool else { return try await read(pool) }
        do {
            return try await read(standby)
        } catch where ReplicaSet.isStandbyFailure(error) {
            return try await read(pool)
        }
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
        try await transaction(on: pool, for: principal, body)
    }

    private func transaction<T>(
        on pool: PostgresPool, for principal: Principal?,
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

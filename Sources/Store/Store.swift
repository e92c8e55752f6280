import Domain
import Postgres

/// The repositories over the central and local schemas, lent inside one transaction.
public struct Store: Sendable {
    public let pool: PostgresPool

    public init(pool: PostgresPool) {
        self.pool = pool
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
            try await body(StoreTransaction(connection: connection))
        }
    }


    /// Claims up to `limit` due jobs for `worker` (``JobRepository/claim(worker:lease:limit:)``)
    /// in a transaction that does not wait for its WAL to reach the disk
    /// (`synchronous_commit = off`). Losing a claim costs nothing: should PostgreSQL crash
    /// before the claim is flushed, the jobs are simply queued again, unattempted. The
    /// transaction that runs the jobs commits synchronously, and its flush carries the
    /// claim's WAL with it, so a claim needs no disk wait of its own.
    public func claimJobs(worker: String, lease: Duration, limit: Int) async throws -> [ClaimedJob] {
        try await pool.withTransaction(settings: [(name: "synchronous_commit", value: "off")], retryOnConflict: true) {
            try await JobRepository(connection: $0).claim(worker: worker, lease: lease, limit: limit)
        }
    }
}

/// The repositories, bound to one transaction's connection.
public struct StoreTransaction: Sendable {
    public let connection: PostgresConnection

    public var entities: EntityRepository { EntityRepository(connection: connection) }
    public var packages: PackageRepository { PackageRepository(connection: connection) }
    public var orders: OrderRepository { OrderRepository(connection: connection) }
    public var journal: Journal { Journal(connection: connection) }
    public var jobs: JobRepository { JobRepository(connection: connection) }
    public var notifications: NotificationWriter { NotificationWriter(connection: connection) }
    public var idempotency: IdempotencyRepository { IdempotencyRepository(connection: connection) }
    public var processes: ProcessRepository { ProcessRepository(connection: connection) }
    public var notificationFeed: NotificationFeed { NotificationFeed(connection: connection) }
    public var jobEffects: PackageJobEffects { PackageJobEffects(connection: connection) }
}

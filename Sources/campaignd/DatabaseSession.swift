import EmbeddedPostgres
import Logging
import Migrations
import Postgres
import Store

/// The database a command talks to: the configured one, or the embedded cluster (started
/// if needed and stopped again by ``close()`` when this command started it).
struct DatabaseSession {
    static let embeddedDatabaseName = "campaignd"
    static let embeddedServiceRole = "campaignd_app"

    /// For administration: migrations, tokens, SQL roles (the superuser of an embedded cluster).
    let configuration: PostgresConfiguration
    /// For serving: on an embedded cluster, a login role that is no superuser (a member of
    /// `campaignd_service`), so that row level security applies to the daemon as well.
    let serviceConfiguration: PostgresConfiguration
    let cluster: EmbeddedCluster?
    let startedCluster: Bool
    let logger: Logger

    var isEmbedded: Bool { cluster != nil }

    /// Resolves `--database-url`, `CAMPAIGND_DATABASE_URL`, libpq's variables, then the embedded cluster.
    /// - Parameter files: the migrations to apply when the database is the embedded cluster (`nil`: none).
    static func open(_ options: GlobalOptions, files: [MigrationFile]?, logger: Logger) async throws -> DatabaseSession {
        if let url = options.setting(options.databaseURL, "CAMPAIGND_DATABASE_URL") {
            let configuration = try PostgresConfiguration(url)
            logger.info("using the configured database", metadata: ["database": "\(configuration)"])
            return DatabaseSession(
                configuration: configuration, serviceConfiguration: configuration, cluster: nil, startedCluster: false,
                logger: logger)
        }
        let variables = PostgresConfiguration.libpqVariablesSet(in: options.environment)
        if !variables.isEmpty {
            let configuration = try PostgresConfiguration("")
            logger.info(
                "using libpq's environment", metadata: ["variables": "\(variables.joined(separator: ","))"])
            return DatabaseSession(
                configuration: configuration, serviceConfiguration: configuration, cluster: nil, startedCluster: false,
                logger: logger)
        }
        let directory = options.setting(options.dataDirectory, "CAMPAIGND_DATA_DIR", default: "./.campaignd") ?? "./.campaignd"
        let cluster = try EmbeddedCluster(directory: directory)
        let started = try await cluster.start(logger: logger)
        let session = DatabaseSession(
            configuration: try PostgresConfiguration(cluster.connectionString(database: embeddedDatabaseName)),
            serviceConfiguration: try PostgresConfiguration(
                cluster.connectionString(database: embeddedDatabaseName, user: embeddedServiceRole)),
            cluster: cluster, startedCluster: started, logger: logger)
        do {
            try await cluster.createDatabase(embeddedDatabaseName, logger: logger)
            if let files {
                let applied = try await Migrator(files: files, configuration: session.configuration, logger: logger)
                    .migrate { logger.info("\($0)") }
                if !applied.isEmpty { logger.info("embedded database migrated", metadata: ["files": "\(applied.count)"]) }
                try await session.ensureServiceRole()
            }
        } catch {
            await session.close()
            throw error
        }
        return session
    }

    /// Creates the embedded cluster's service login role once the migrations made its group.
    func ensureServiceRole() async throws {
        let connection = try await PostgresConnection.connect(configuration, logger: logger)
        defer { connection.close() }
        let exists = try await connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(Self.embeddedServiceRole)")
        guard exists.isEmpty else { return }
        try await connection.query("CREATE ROLE \(identifier: Self.embeddedServiceRole) LOGIN IN ROLE campaignd_service")
    }

    /// Stops the embedded cluster if this process started it.
    func close() async {
        guard let cluster, startedCluster else { return }
        do {
            try await cluster.stop()
            logger.info("embedded PostgreSQL stopped")
        } catch {
            logger.error("cannot stop embedded PostgreSQL", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body`, then ``close()``, whether `body` throws or not.
    func run<T>(_ body: () async throws -> T) async throws -> T {
        do {
            let value = try await body()
            await close()
            return value
        } catch {
            await close()
            throw error
        }
    }
}

extension DatabaseSession {
    /// What a one-shot command (`operator create`, `token …`) needs: the database opened
    /// as the administrator (the embedded cluster started if it is the one, and stopped
    /// after), a one-connection store, and store refusals as one-line failures.
    static func withStore<T>(_ options: GlobalOptions, _ body: (Store) async throws -> T) async throws -> T {
        let logger = try options.makeLogger()
        let database = try await open(options, files: try options.loadMigrations(), logger: logger)
        return try await database.run {
            let pool = PostgresPool(
                configuration: database.configuration, options: PostgresPoolOptions(maximumConnections: 1), logger: logger)
            defer { pool.close() }
            return try await CommandFailure.describingStoreErrors { try await body(Store(pool: pool)) }
        }
    }
}

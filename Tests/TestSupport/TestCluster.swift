import EmbeddedPostgres
import Foundation
import Logging
import Migrations
import Postgres

/// The PostgreSQL server of this test process.
///
/// With `CAMPAIGND_TEST_DATABASE_URL` (a role allowed to create databases), tests use that
/// server. Otherwise the first test that needs a database starts a throwaway cluster
/// under /tmp (`fsync` off), once per test process. A watchdog process stops the cluster
/// and deletes its folder once this process has exited, even after a crash.
public actor TestCluster {
    public static let shared = TestCluster()

    public static let logger: Logger = {
        var logger = Logger(label: "campaignd-tests")
        logger.logLevel = .warning
        return logger
    }()

    private var server: Task<Server, any Error>?
    private var counter = 0

    struct Server: Sendable {
        /// Connects to the maintenance database (`postgres`), with the rights to create databases.
        let admin: PostgresConfiguration
        let template: String
        let prefix: String
    }

    /// A new database, copied from a migrated template (or empty when `migrated` is false).
    public func makeDatabase(migrated: Bool = true) async throws -> TestDatabase {
        let server = try await start()
        counter += 1
        let name = "\(server.prefix)_\(counter)"
        let admin = try await PostgresConnection.connect(server.admin, logger: Self.logger)
        defer { admin.close() }
        if migrated {
            try await admin.query("CREATE DATABASE \(identifier: name) TEMPLATE \(identifier: server.template)")
        } else {
            try await admin.query("CREATE DATABASE \(identifier: name)")
        }
        var configuration = server.admin
        configuration.database = name
        return TestDatabase(name: name, configuration: configuration)
    }

    private func start() async throws -> Server {
        if let server { return try await server.value }
        let task = Task { try await Self.startServer() }
        server = task
        return try await task.value
    }

    private static func startServer() async throws -> Server {
        let prefix = "t\(getpid())_\(UInt32.random(in: 0...UInt32.max))"
        let admin: PostgresConfiguration
        if let url = ProcessInfo.processInfo.environment["CAMPAIGND_TEST_DATABASE_URL"], !url.isEmpty {
            admin = try PostgresConfiguration(url)
        } else {
            // Many suites run at once, several of them with daemons of their own.
            let cluster = try EmbeddedCluster(directory: "/tmp/cdt-\(prefix)", durable: false, maxConnections: 500)
            try await cluster.start(logger: logger)
            try startWatchdog(for: cluster)
            admin = try PostgresConfiguration(cluster.connectionString(database: "postgres"))
        }
        let template = "\(prefix)_template"
        let connection = try await PostgresConnection.connect(admin, logger: logger)
        try await connection.query("CREATE DATABASE \(identifier: template)")
        connection.close()
        var templateConfiguration = admin
        templateConfiguration.database = template
        try await Migrator(files: try migrationFiles(), configuration: templateConfiguration, logger: logger).migrate()
        // The role daemons run as in the tests: not a superuser, so row level security applies.
        let setup = try await PostgresConnection.connect(admin, logger: logger)
        defer { setup.close() }
        let exists = try await setup.query("SELECT 1 FROM pg_roles WHERE rolname = \(TestDatabase.serviceRole)")
        if exists.isEmpty {
            try await setup.query("CREATE ROLE \(identifier: TestDatabase.serviceRole) LOGIN IN ROLE campaignd_service")
        }
        return Server(admin: admin, template: template, prefix: prefix)
    }

    /// The repository's `migrations/` folder.
    public static func migrationFiles() throws -> [MigrationFile] {
        try MigrationFile.load(from: repositoryRoot + "/migrations")
    }

    public static var repositoryRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
    }

    /// A detached shell that waits for this process to end, then stops the cluster and
    /// removes its folder.
    static func startWatchdog(for cluster: EmbeddedCluster) throws {
        var stop = "\(cluster.binaries.pgCtl) stop -D \(cluster.dataDirectory) -m immediate"
        if let user = cluster.serverUser { stop = "/usr/sbin/runuser -u \(user) -- " + stop }
        let script = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 0.5; done
            \(stop)
            rm -rf \(cluster.directory) \(cluster.socketDirectory)
            """
        try ChildProcess.run("/bin/sh", ["-c", script], detached: true)
    }
}

/// A database of its own for a suite or a test.
public struct TestDatabase: Sendable {
    public let name: String
    public let configuration: PostgresConfiguration

    /// The database of the enclosing `.database` suite.
    @TaskLocal public static var current: TestDatabase?

    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration, threadPool: TestThreads.pool, logger: TestCluster.logger)
    }

    public func makePool(_ options: PostgresPoolOptions = PostgresPoolOptions()) -> PostgresPool {
        PostgresPool(configuration: configuration, options: options, logger: TestCluster.logger)
    }

    /// A libpq keyword/value string for this database (for child processes and `psql`),
    /// as the administrator that created it.
    public var connectionString: String { configuration.keywordValueString }

    /// The login role test daemons use: a member of `campaignd_service`, as in production.
    public static let serviceRole = "campaignd_test_service"

    /// This database as ``serviceRole``.
    public var serviceConnectionString: String { connectionString + " user='\(Self.serviceRole)'" }
}

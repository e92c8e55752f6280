import EmbeddedPostgres
import Foundation
import Migrations
import Postgres

/// Runs `body` with a PostgreSQL cluster of its own (for tests that stop or restart the
/// server, so that the other suites' server is never interrupted), then stops it and
/// deletes its folder, whether `body` succeeds or throws.
public func withPrivateCluster<T>(
    _ body: (EmbeddedCluster) async throws -> T
) async throws -> T {
    let directory = "/tmp/cdp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    let cluster = try EmbeddedCluster(directory: directory, durable: false)
    try await cluster.start(logger: TestCluster.logger)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let value: T
    do {
        value = try await body(cluster)
    } catch {
        try? await cluster.stop(immediate: true)
        throw error
    }
    try await cluster.stop(immediate: true)
    return value
}

extension TestDatabase {
    /// A migrated database on a private cluster, with the service role daemons run as.
    public static func migrated(on cluster: EmbeddedCluster, name: String = "campaignd") async throws -> TestDatabase {
        try await cluster.createDatabase(name, logger: TestCluster.logger)
        let configuration = try PostgresConfiguration(cluster.connectionString(database: name))
        try await Migrator(files: try TestCluster.migrationFiles(), configuration: configuration, logger: TestCluster.logger)
            .migrate()
        let setup = try await PostgresConnection.connect(configuration, logger: TestCluster.logger)
        defer { setup.close() }
        if try await setup.query("SELECT 1 FROM pg_roles WHERE rolname = \(serviceRole)").isEmpty {
            try await setup.query("CREATE ROLE \(identifier: serviceRole) LOGIN IN ROLE campaignd_service")
        }
        return TestDatabase(name: name, configuration: configuration)
    }
}

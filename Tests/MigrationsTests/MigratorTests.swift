import Synchronization
import Foundation
import Migrations
import Postgres
import TestSupport
import Testing

/// A folder of migration files for one test, starting with the real 0001 (which creates
/// the ledger).
struct MigrationFolder {
    let path = "/tmp/cdm-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"

    init(_ files: [String: String]) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let first = try TestCluster.migrationFiles()[0]
        try write(first.name, first.sql)
        for (name, sql) in files { try write(name, sql) }
    }

    func write(_ name: String, _ sql: String) throws {
        try sql.write(toFile: path + "/" + name, atomically: true, encoding: .utf8)
    }

    func remove(_ name: String) throws { try FileManager.default.removeItem(atPath: path + "/" + name) }

    func migrator(_ database: TestDatabase) throws -> Migrator {
        Migrator(files: try MigrationFile.load(from: path), configuration: database.configuration, logger: TestCluster.logger)
    }

    func delete() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct MigratorTests {
    @Test(.emptyDatabase) func realFilesApplyInOrderOnceAndRecordThemselves() async throws {
        let database = try TestDatabase.get()
        let files = try TestCluster.migrationFiles()
        let migrator = Migrator(files: files, configuration: database.configuration, logger: TestCluster.logger)
        let lines = LineCollector()
        let applied = try await migrator.migrate { lines.append($0) }
        #expect(applied == files.map(\.name))
        #expect(lines.lines.count == files.count)
        #expect(lines.lines.allSatisfy { $0.hasPrefix("applied ") && $0.hasSuffix(" ms") })
        #expect(try await migrator.migrate().isEmpty)

        let connection = try await database.connect()
        defer { connection.close() }
        let schemas = try await connection.query(
            "SELECT array_agg(nspname::text ORDER BY nspname) AS names FROM pg_namespace WHERE nspname IN ('central', 'local')")
        #expect(try schemas[0].decode([String].self, "names") == ["central", "local"])
        let ledger = try await connection.query(
            "SELECT name, checksum, duration_ms FROM central.schema_migrations ORDER BY name")
        #expect(try ledger.map { try $0.decode(String.self, "name") } == files.map(\.name))
        #expect(try ledger.map { try $0.decode(String.self, "checksum") } == files.map(\.checksum))
        #expect(try ledger.allSatisfy { try $0.decode(Int.self, "duration_ms") >= 0 })
        let status = try await migrator.status()
        #expect(status.count == files.count)
        #expect(status.allSatisfy { if case .applied = $0.state { true } else { false } })
    }

    @Test(.emptyDatabase) func concurrentMigratorsApplyEachFileOnce() async throws {
        let database = try TestDatabase.get()
        let folder = try MigrationFolder([
            "0002_slow.sql": "SELECT pg_sleep(0.3); CREATE TABLE central.once (id int PRIMARY KEY);",
            "0003_more.sql": "INSERT INTO central.once VALUES (1);",
        ])
        defer { folder.delete() }
        let first = try folder.migrator(database)
        let second = try folder.migrator(database)
        async let a = first.migrate()
        async let b = second.migrate()
        let results = try await [a, b]
        // One applied all three; the other waited on the lock and found nothing to do.
        #expect(results.map(\.count).sorted() == [0, 3])
        let connection = try await database.connect()
        defer { connection.close() }
        #expect(try await connection.query("SELECT count(*) AS n FROM central.once")[0].decode(Int.self, "n") == 1)
    }

    @Test(.emptyDatabase) func aChangedFileIsRefused() async throws {
        let database = try TestDatabase.get()
        let folder = try MigrationFolder(["0002_table.sql": "CREATE TABLE central.t (id int);"])
        defer { folder.delete() }
        try await folder.migrator(database).migrate()
        try folder.write("0002_table.sql", "CREATE TABLE central.t (id bigint);")
        try folder.write("0003_next.sql", "CREATE TABLE central.u (id int);")
        let migrator = try folder.migrator(database)
        let error = try await #require(throws: MigrationError.self) { try await migrator.migrate() }
        #expect(error.description.contains("0002_table.sql was changed after it was applied"))
        let status = try await migrator.status()
        #expect(status.first { $0.name == "0002_table.sql" }?.state == .changed)
        // Nothing else was applied.
        #expect(status.first { $0.name == "0003_next.sql" }?.state == .pending)
    }

    @Test(.emptyDatabase) func aMigrationTheFilesDoNotKnowIsRefused() async throws {
        let database = try TestDatabase.get()
        let folder = try MigrationFolder(["0002_table.sql": "CREATE TABLE central.t (id int);"])
        defer { folder.delete() }
        try await folder.migrator(database).migrate()
        try folder.remove("0002_table.sql")
        let migrator = try folder.migrator(database)
        let error = try await #require(throws: MigrationError.self) { try await migrator.migrate() }
        #expect(error.description.contains("0002_table.sql applied, but no such file exists"))
        #expect(try await migrator.status().last?.state == .unknown)
    }

    @Test(.emptyDatabase) func aFailingFileIsRolledBackWhole() async throws {
        let database = try TestDatabase.get()
        let folder = try MigrationFolder([
            "0002_good.sql": "CREATE TABLE central.good (id int);",
            "0003_bad.sql": "CREATE TABLE central.half (id int);\nINSERT INTO central.good VALUES (1);\nSELEC oops;\n",
        ])
        defer { folder.delete() }
        let error = try await #require(throws: MigrationError.self) { try await folder.migrator(database).migrate() }
        #expect(error.description.contains("0003_bad.sql failed and was rolled back"))
        #expect(error.description.contains("SQLSTATE 42601"))
        #expect(error.description.contains("at line 3"))
        let connection = try await database.connect()
        defer { connection.close() }
        let state = try await connection.query(
            """
            SELECT to_regclass('central.good') IS NOT NULL AS good, to_regclass('central.half') IS NOT NULL AS half,
                   (SELECT count(*) FROM central.good) AS rows,
                   (SELECT array_agg(name ORDER BY name) FROM central.schema_migrations) AS applied
            """)
        #expect(try state[0].decode(Bool.self, "good"))
        #expect(try state[0].decode(Bool.self, "half") == false)
        #expect(try state[0].decode(Int.self, "rows") == 0)
        #expect(try state[0].decode([String].self, "applied") == ["0001_schemas.sql", "0002_good.sql"])
        // Once fixed (it was never applied, so it may change), it applies.
        try folder.write("0003_bad.sql", "CREATE TABLE central.half (id int);")
        #expect(try await folder.migrator(database).migrate() == ["0003_bad.sql"])
    }

    @Test(.emptyDatabase) func dryRunChangesNothing() async throws {
        let database = try TestDatabase.get()
        let migrator = Migrator(
            files: try TestCluster.migrationFiles(), configuration: database.configuration, logger: TestCluster.logger)
        let lines = LineCollector()
        let wouldApply = try await migrator.migrate(dryRun: true) { lines.append($0) }
        #expect(wouldApply == migrator.files.map(\.name))
        #expect(lines.lines.allSatisfy { $0.hasPrefix("would apply ") })
        #expect(try await migrator.status().allSatisfy { $0.state == .pending })
    }

    @Test func filesAreOrderedAndDuplicateNumbersRefused() throws {
        let folder = try MigrationFolder([
            "0010_ten.sql": "SELECT 1;", "0002_two.sql": "SELECT 1;", "README.md": "not a migration",
        ])
        defer { folder.delete() }
        #expect(try MigrationFile.load(from: folder.path).map(\.name) == ["0001_schemas.sql", "0002_two.sql", "0010_ten.sql"])
        try folder.write("0002_again.sql", "SELECT 2;")
        #expect(throws: MigrationError.self) { try MigrationFile.load(from: folder.path) }
    }
}

/// Collects progress lines from a `@Sendable` callback.
final class LineCollector: Sendable {
    private let storage = Mutex<[String]>([])
    func append(_ line: String) { storage.withLock { $0.append(line) } }
    var lines: [String] { storage.withLock { $0 } }
}

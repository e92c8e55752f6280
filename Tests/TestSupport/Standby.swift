import EmbeddedPostgres
import Foundation
import Postgres

/// A real PostgreSQL hot standby of the test cluster, made by the test itself with
/// `pg_basebackup -R` and streaming from it. Stopped and deleted when released, and by a
/// watchdog when the test process ends.
public final class Standby: Sendable {
    let binaries: PostgresBinaries
    let directory: String
    let user: String?
    public let socketDirectory: String
    public static let port = 5432

    var dataDirectory: String { directory + "/data" }

    /// A standby of the server `database` is on (the whole cluster: every database).
    public static func start(of database: TestDatabase) async throws -> Standby {
        let binaries = try PostgresBinaries.locate()
        let source = database.configuration.parameters
        guard let host = source["host"] else { throw HTTPTestClient.Failure(description: "the test database has no host") }
        let directory = "/tmp/stb-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory + "/run", withIntermediateDirectories: true)
        // As root, the server runs as postgres, as the test cluster does.
        let user = getuid() == 0 ? "postgres" : nil
        if let user, let account = getpwnam(user) {
            for path in [directory, directory + "/run"] { chown(path, account.pointee.pw_uid, account.pointee.pw_gid) }
        }
        _ = chmod(directory + "/run", 0o700)
        // Many tests write at once on the test cluster: keep enough WAL that neither the
        // base backup nor a standby stopped a moment falls behind what is recycled.
        let admin = try await PostgresConnection.connect(database.configuration, logger: TestCluster.logger)
        try await admin.execute(unsafeSQL: "ALTER SYSTEM SET wal_keep_size = '512MB'")
        try await admin.query("SELECT pg_reload_conf()")
        admin.close()
        let standby = Standby(binaries: binaries, directory: directory, user: user)
        let watchdog = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 0.5; done
            \(user.map { "/usr/sbin/runuser -u \($0) -- " } ?? "")\(binaries.pgCtl) stop -D \(standby.dataDirectory) -m immediate
            rm -rf \(directory)
            """
        try ChildProcess.run("/bin/sh", ["-c", watchdog], detached: true)
        let backup = try ChildProcess.run(
            binaries.directory + "/pg_basebackup",
            ["-D", standby.dataDirectory, "-R", "-X", "stream", "-c", "fast", "-h", host, "-p", source["port"] ?? "5432",
             "-U", source["user"] ?? "postgres"],
            asUser: user, output: directory + "/basebackup.log")
        guard backup == 0 else {
            throw HTTPTestClient.Failure(description: "pg_basebackup failed: \(standby.file("basebackup.log"))")
        }
        try await standby.startServer()
        return standby
    }

    init(binaries: PostgresBinaries, directory: String, user: String?) {
        self.binaries = binaries
        self.directory = directory
        self.user = user
        socketDirectory = directory + "/run"
    }

    deinit {
        _ = try? ChildProcess.run(binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", "immediate"], asUser: user)
        try? FileManager.default.removeItem(atPath: directory)
    }

    func file(_ name: String) -> String { (try? String(contentsOfFile: directory + "/" + name, encoding: .utf8)) ?? "" }

    /// Starts the server (again): a hot standby on its own socket folder.
    public func startServer() async throws {
        let status = try ChildProcess.run(
            binaries.pgCtl,
            ["start", "-w", "-D", dataDirectory, "-l", directory + "/server.log",
             "-o", "-k \(socketDirectory) -p \(Self.port) -c listen_addresses='' -c hot_standby=on"],
            asUser: user, output: directory + "/pg_ctl.log")
        guard status == 0 else {
            throw HTTPTestClient.Failure(description: "the standby did not start: \(file("server.log").suffix(2000))")
        }
    }

    /// Stops the server (fast shutdown); `startServer()` starts it again, where it left off.
    public func stopServer() throws {
        _ = try ChildProcess.run(binaries.pgCtl, ["stop", "-w", "-D", dataDirectory, "-m", "fast"], asUser: user)
    }

    /// A connection string to `database` on the standby.
    public func connectionString(database: String, user role: String = TestDatabase.serviceRole) -> String {
        "host='\(socketDirectory)' port=\(Self.port) dbname='\(database)' user='\(role)'"
    }

    /// Runs `sql` on the standby as the superuser (`pg_wal_replay_pause()` and the like).
    public func superuserQuery(_ sql: String, database: String) async throws -> PostgresRows {
        let connection = try await PostgresConnection.connect(
            PostgresConfiguration(connectionString(database: database, user: "postgres")), logger: TestCluster.logger)
        defer { connection.close() }
        return try await connection.query(PostgresQuery(unsafeSQL: sql))
    }

    /// Waits until the standby has replayed everything the primary has written so far.
    public func catchUp(with primary: PostgresConnection, database: String, timeout: Duration = .seconds(30)) async throws {
        let target = try await primary.query("SELECT pg_current_wal_insert_lsn()::text AS lsn")[0].decode(String.self, "lsn")
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let rows = try? await superuserQuery(
                "SELECT pg_last_wal_replay_lsn() >= '\(target)'::pg_lsn AS done", database: database)
            if let done = try rows?.first?.decode(Bool?.self, "done"), done == true { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HTTPTestClient.Failure(description: "the standby did not replay up to \(target)")
    }
}

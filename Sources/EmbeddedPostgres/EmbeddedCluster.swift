import Foundation
import Logging
import NIOPosix
import Postgres

/// A private PostgreSQL cluster under a data folder: the daemon's default when no
/// database is configured, and the test suite's server.
///
/// Layout of the folder: `pgdata/` (the cluster), `run/` (the unix socket, unless the
/// path is too long for one), `postgresql.log`, `pg_ctl.log`. The server listens on the
/// socket only (`listen_addresses = ''`). As root, `initdb` and the server run as the
/// `postgres` system user, since PostgreSQL refuses to run as root.
public struct EmbeddedCluster: Sendable {
    /// The data folder, absolute.
    public let directory: String
    /// Durable clusters keep `fsync` on; throwaway ones (tests) turn it off.
    public let durable: Bool
    public let binaries: PostgresBinaries
    /// The system user that owns and runs the cluster, when we are root.
    public let serverUser: String?
    /// Port number naming the socket file (no TCP port is opened).
    public let port: Int
    /// `max_connections` of the server.
    public let maxConnections: Int
    /// The superuser `initdb` creates.
    public static let superuser = "postgres"

    public init(directory: String, durable: Bool = true, port: Int = 5432, maxConnections: Int = 200) throws {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.directory = absolute
        self.durable = durable
        self.port = port
        self.maxConnections = maxConnections
        self.binaries = try PostgresBinaries.locate()
        self.serverUser = getuid() == 0 ? "postgres" : nil
    }

    public var dataDirectory: String { directory + "/pgdata" }
    public var logFile: String { directory + "/postgresql.log" }
    var controlLog: String { directory + "/pg_ctl.log" }

    /// The socket folder: inside the data folder when the socket path fits the ~107-byte
    /// limit of unix sockets, else a short folder under /tmp named after the data folder.
    public var socketDirectory: String {
        let inside = directory + "/run"
        if (inside + "/.s.PGSQL.\(port)").utf8.count < 100 { return inside }
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in directory.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return "/tmp/campaignd-" + String(hash, radix: 36)
    }

    /// A libpq connection string for `database` on this cluster, as `user` (the superuser by default).
    public func connectionString(database: String, user: String = superuser) -> String {
        "host='\(socketDirectory)' port=\(port) user='\(user)' dbname='\(database)'"
    }

    /// Creates the cluster if needed and starts it unless it already runs.
    /// - Returns: true when this call started the server (so the caller should stop it).
    @discardableResult
    public func start(logger: Logger) async throws -> Bool {
        try await BlockingThreads.pool.runIfActive { try startBlocking(logger: logger) }
    }

    /// Stops the server (`fast`: ends sessions cleanly; `immediate`: for throwaway clusters).
    public func stop(immediate: Bool = false) async throws {
        try await BlockingThreads.pool.runIfActive { try stopBlocking(immediate: immediate) }
    }

    /// Creates `name` unless it exists (connecting to the `postgres` database).
    public func createDatabase(_ name: String, logger: Logger) async throws {
        let connection = try await PostgresConnection.connect(
            PostgresConfiguration(connectionString(database: "postgres")), logger: logger)
        defer { connection.close() }
        let exists = try await connection.query("SELECT 1 FROM pg_database WHERE datname = \(name)")
        if exists.isEmpty {
            try await connection.query("CREATE DATABASE \(identifier: name)")
        }
    }

    public func isRunning() -> Bool {
        (try? ChildProcess.run(binaries.pgCtl, ["status", "-D", dataDirectory], asUser: serverUser)) == 0
    }

    // MARK: - Blocking steps (run on a thread pool)

    func startBlocking(logger: Logger) throws -> Bool {
        try prepareDirectories()
        if !FileManager.default.fileExists(atPath: dataDirectory + "/PG_VERSION") {
            try initialize(logger: logger)
        }
        if isRunning() { return false }
        try writeSettings()
        logger.info("starting embedded PostgreSQL", metadata: ["data_dir": "\(dataDirectory)"])
        let status = try ChildProcess.run(
            binaries.pgCtl, ["start", "-D", dataDirectory, "-l", logFile, "-w", "-t", "60"],
            asUser: serverUser, output: controlLog)
        if status != 0 {
            // Another campaignd may have started it at the same moment.
            if isRunning() { return false }
            throw EmbeddedClusterError(
                "embedded PostgreSQL did not start (pg_ctl exit \(status)): " + lastLine(of: logFile, controlLog))
        }
        return true
    }

    func stopBlocking(immediate: Bool) throws {
        guard isRunning() else { return }
        let status = try ChildProcess.run(
            binaries.pgCtl, ["stop", "-D", dataDirectory, "-m", immediate ? "immediate" : "fast", "-w", "-t", "60"],
            asUser: serverUser, output: controlLog)
        if status != 0, isRunning() {
            throw EmbeddedClusterError("embedded PostgreSQL did not stop: " + lastLine(of: controlLog))
        }
    }

    private func prepareDirectories() throws {
        let fileManager = FileManager.default
        for path in [directory, socketDirectory] {
            try fileManager.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        guard let serverUser else { return }
        guard let account = getpwnam(serverUser) else {
            throw EmbeddedClusterError(
                "running as root needs the '\(serverUser)' system user to run PostgreSQL "
                    + "(the Debian package postgresql-common creates it)")
        }
        for path in [directory, socketDirectory] {
            guard chown(path, account.pointee.pw_uid, account.pointee.pw_gid) == 0 else {
                throw EmbeddedClusterError("cannot give \(path) to the \(serverUser) user: \(String(cString: strerror(errno)))")
            }
        }
        _ = chmod(socketDirectory, 0o700)
        if try ChildProcess.run("/usr/bin/test", ["-w", directory], asUser: serverUser) != 0 {
            throw EmbeddedClusterError(
                "the \(serverUser) user cannot reach \(directory) (a parent folder is private): "
                    + "choose a --data-dir it can traverse, e.g. under /var/lib or /tmp")
        }
    }

    private func initialize(logger: Logger) throws {
        logger.info("creating embedded PostgreSQL cluster", metadata: ["data_dir": "\(dataDirectory)"])
        var arguments = [
            "-D", dataDirectory, "-U", Self.superuser, "-E", "UTF8", "--no-locale",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        ]
        if !durable { arguments.append("--no-sync") }
        let status = try ChildProcess.run(binaries.initdb, arguments, asUser: serverUser, output: controlLog)
        guard status == 0 else {
            throw EmbeddedClusterError("initdb failed (exit \(status)): " + lastLine(of: controlLog))
        }
        let include = "\n# Written by campaignd at each start.\ninclude_if_exists = 'campaignd.conf'\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: dataDirectory + "/postgresql.conf"))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(include.utf8))
    }

    private func writeSettings() throws {
        var settings = [
            "listen_addresses = ''",
            "unix_socket_directories = '\(socketDirectory)'",
            "unix_socket_permissions = 0700",
            "port = \(port)",
            "max_connections = \(maxConnections)",
        ]
        if !durable {
            settings += ["fsync = off", "synchronous_commit = off", "full_page_writes = off"]
        }
        let path = dataDirectory + "/campaignd.conf"
        try (settings.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
        if let serverUser, let account = getpwnam(serverUser) {
            _ = chown(path, account.pointee.pw_uid, account.pointee.pw_gid)
        }
    }

    private func lastLine(of paths: String...) -> String {
        for path in paths {
            let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").last(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) {
                return line.trimmingCharacters(in: .whitespaces) + " (see \(path))"
            }
        }
        return "see \(paths.first ?? directory)"
    }
}

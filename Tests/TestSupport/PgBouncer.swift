import EmbeddedPostgres
import Foundation
import Postgres

/// A real PgBouncer (Debian's `pgbouncer`) in front of the test cluster, in transaction
/// pooling mode: every transaction may run on another server connection, so nothing of
/// a session (prepared statements, `SET`, `LISTEN`, session advisory locks) survives.
/// Stopped when released, and by a watchdog when the test process ends.
public final class PgBouncer: Sendable {
    public let port: Int
    let directory: String
    let pidFile: String

    /// The database name PgBouncer knows the test's database by: the server has no
    /// database of that name, so whatever reaches the database by it went through PgBouncer.
    public static let alias = "campaignd_bounced"

    /// PgBouncer listening on 127.0.0.1, forwarding ``alias`` to the test's database, with
    /// at most `poolSize` server connections per user.
    public static func start(for database: TestDatabase, poolSize: Int = 4) async throws -> PgBouncer {
        let executable = ["/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let executable else {
            throw HTTPTestClient.Failure(description: "pgbouncer is not installed (Debian package pgbouncer; .ci/run installs it)")
        }
        let target = database.configuration.parameters
        guard let host = target["host"] else {
            throw HTTPTestClient.Failure(description: "the test database has no host to put PgBouncer in front of")
        }
        let directory = "/tmp/pgb-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // PgBouncer refuses to run as root: as root, it runs as the cluster's system user.
        let user = getuid() == 0 ? "postgres" : nil
        if let user, let account = getpwnam(user) { chown(directory, account.pointee.pw_uid, account.pointee.pw_gid) }
        let port = try freePort()
        let users = [target["user"] ?? "postgres", TestDatabase.serviceRole, "postgres"]
        try Set(users).map { "\"\($0)\" \"\"" }.joined(separator: "\n").write(
            toFile: directory + "/users.txt", atomically: true, encoding: .utf8)
        let pidFile = directory + "/pgbouncer.pid"
        try """
            [databases]
            \(Self.alias) = host=\(host) port=\(target["port"] ?? "5432") dbname=\(database.name)

            [pgbouncer]
            listen_addr = 127.0.0.1
            listen_port = \(port)
            unix_socket_dir =
            auth_type = trust
            auth_file = \(directory)/users.txt
            pool_mode = transaction
            default_pool_size = \(poolSize)
            max_client_conn = 1000
            logfile = \(directory)/pgbouncer.log
            pidfile = \(pidFile)
            admin_users = postgres
            """.write(toFile: directory + "/pgbouncer.ini", atomically: true, encoding: .utf8)
        for file in ["users.txt", "pgbouncer.ini"] { _ = chmod(directory + "/" + file, 0o644) }
        try ChildProcess.run(executable, ["-d", directory + "/pgbouncer.ini"], asUser: user, output: directory + "/start.log")
        let bouncer = PgBouncer(port: port, directory: directory, pidFile: pidFile)
        let watchdog = """
            while kill -0 \(getpid()) 2>/dev/null; do sleep 0.5; done
            kill -9 $(cat \(pidFile) 2>/dev/null) 2>/dev/null; rm -rf \(directory)
            """
        try ChildProcess.run("/bin/sh", ["-c", watchdog], detached: true)
        let probe = try PostgresConfiguration(bouncer.connectionString())
        for _ in 0..<100 {
            if let connection = try? await PostgresConnection.connect(probe, logger: TestCluster.logger) {
                connection.close()
                return bouncer
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw HTTPTestClient.Failure(
            description: "PgBouncer did not start: \((try? String(contentsOfFile: directory + "/pgbouncer.log", encoding: .utf8)) ?? "")")
    }

    init(port: Int, directory: String, pidFile: String) {
        self.port = port
        self.directory = directory
        self.pidFile = pidFile
    }

    deinit {
        if let text = try? String(contentsOfFile: pidFile, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// A libpq connection string to the test's database through PgBouncer.
    public func connectionString(user: String = TestDatabase.serviceRole) -> String {
        "host=127.0.0.1 port=\(port) dbname=\(Self.alias) user='\(user)'"
    }

    /// What PgBouncer logged.
    public var log: String { (try? String(contentsOfFile: directory + "/pgbouncer.log", encoding: .utf8)) ?? "" }

    /// A TCP port nothing listens on now (the kernel's choice).
    static func freePort() throws -> Int {
        let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw HTTPTestClient.Failure(description: "socket: \(errno)") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socket, pointer, length) == 0 && getsockname(socket, pointer, &length) == 0
            }
        }
        guard bound else { throw HTTPTestClient.Failure(description: "bind: \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

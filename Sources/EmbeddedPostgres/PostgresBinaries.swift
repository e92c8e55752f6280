import Foundation

/// Where `initdb` and `pg_ctl` are.
public struct PostgresBinaries: Sendable {
    public let directory: String

    public var initdb: String { directory + "/initdb" }
    public var pgCtl: String { directory + "/pg_ctl" }

    /// `$CAMPAIGND_PG_BIN`, else the newest `/usr/lib/postgresql/N/bin` (Debian's layout),
    /// else the directory of an `initdb` on `PATH`.
    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> PostgresBinaries
    {
        let fileManager = FileManager.default
        var candidates: [String] = []
        if let configured = environment["CAMPAIGND_PG_BIN"], !configured.isEmpty { candidates.append(configured) }
        let versions = (try? fileManager.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        candidates += versions.compactMap(Int.init).sorted(by: >).map { "/usr/lib/postgresql/\($0)/bin" }
        candidates += (environment["PATH"] ?? "").split(separator: ":").map(String.init)
        for directory in candidates
        where fileManager.isExecutableFile(atPath: directory + "/initdb")
            && fileManager.isExecutableFile(atPath: directory + "/pg_ctl")
        {
            return PostgresBinaries(directory: directory)
        }
        throw EmbeddedClusterError(
            "PostgreSQL server programs (initdb, pg_ctl) not found: install the Debian package postgresql "
                + "(apt-get install -y postgresql), set CAMPAIGND_PG_BIN, or give --database-url")
    }
}

/// A failure to create, start or stop the embedded cluster, in one line.
public struct EmbeddedClusterError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

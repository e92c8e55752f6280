import ArgumentParser
import Logging
import Postgres
import ServiceLifecycle
import Store

/// Where a daemon (`serve`, `worker`) reaches PostgreSQL beside `--database-url` when it
/// grows past one database connection string: PgBouncer in front, hot standbys beside.
struct ScaleOptions: ParsableArguments {
    @Option(
        name: .customLong("listen-url"),
        help: "libpq connection string of the primary for LISTEN connections, when --database-url is a transaction-pooling PgBouncer, which cannot LISTEN (env CAMPAIGND_LISTEN_URL; default: --database-url)")
    var listenURL: String?

    @Option(
        name: .customLong("replica-url"),
        help: "libpq connection string of a hot standby for polls, the catalogue and list reads; repeatable (env CAMPAIGND_REPLICA_URLS, space-separated)")
    var replicaURLs: [String] = []

    @Option(
        name: .customLong("replica-max-lag"),
        help: "Seconds a standby may lag behind the primary and still serve reads (env CAMPAIGND_REPLICA_MAX_LAG; default 5)")
    var replicaMaxLag: Double?

    /// The standbys (`--replica-url`, else `CAMPAIGND_REPLICA_URLS`).
    func replicas(
        _ global: GlobalOptions, primary: PostgresPool, listen: PostgresConfiguration, logger: Logger
    ) throws -> ReplicaSet? {
        let urls = replicaURLs.isEmpty
            ? (global.environment["CAMPAIGND_REPLICA_URLS"] ?? "").split(separator: " ").map(String.init) : replicaURLs
        guard !urls.isEmpty else { return nil }
        let maxLag = GlobalOptions.duration(try global.positiveNumber(replicaMaxLag, "CAMPAIGND_REPLICA_MAX_LAG", 5))
        return ReplicaSet(
            primary: primary, replicas: try urls.map { try PostgresConfiguration($0) }, maxLag: maxLag,
            listenConfiguration: listen, logger: logger)
    }

    /// Where `LISTEN` connections go: `--listen-url`, else the database the pool uses.
    func listenConfiguration(_ global: GlobalOptions, database: DatabaseSession) throws -> PostgresConfiguration {
        guard let url = global.setting(listenURL, "CAMPAIGND_LISTEN_URL") else { return database.serviceConfiguration }
        guard !database.isEmbedded else {
            throw ValidationError("--listen-url is for a configured database (--database-url through PgBouncer), not the embedded cluster")
        }
        return try PostgresConfiguration(url)
    }
}

/// Watches the standbys while the daemon runs (``ReplicaSet/monitor()``).
struct ReplicaMonitor: Service {
    let replicas: ReplicaSet

    func run() async throws {
        await cancelWhenGracefulShutdown { await replicas.monitor() }
    }
}

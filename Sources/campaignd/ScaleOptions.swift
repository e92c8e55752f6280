import ArgumentParser
import Postgres

/// Where a daemon (`serve`, `worker`) reaches PostgreSQL beside `--database-url` when it
/// grows past one database connection string: PgBouncer in front, hot standbys beside.
struct ScaleOptions: ParsableArguments {
    @Option(
        name: .customLong("listen-url"),
        help: "libpq connection string of the primary for LISTEN connections, when --database-url is a transaction-pooling PgBouncer, which cannot LISTEN (env CAMPAIGND_LISTEN_URL; default: --database-url)")
    var listenURL: String?

    /// Where `LISTEN` connections go: `--listen-url`, else the database the pool uses.
    func listenConfiguration(_ global: GlobalOptions, database: DatabaseSession) throws -> PostgresConfiguration {
        guard let url = global.setting(listenURL, "CAMPAIGND_LISTEN_URL") else { return database.serviceConfiguration }
        guard !database.isEmbedded else {
            throw ValidationError("--listen-url is for a configured database (--database-url through PgBouncer), not the embedded cluster")
        }
        return try PostgresConfiguration(url)
    }
}

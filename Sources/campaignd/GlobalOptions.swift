import ArgumentParser
import Foundation
import Logging
import Migrations
import Store

/// Options every command takes. Each also reads a `CAMPAIGND_…` environment variable.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "libpq connection string or URI (env CAMPAIGND_DATABASE_URL; default: libpq PG* variables, else the embedded cluster)")
    var databaseURL: String?

    @Option(name: .customLong("data-dir"), help: "Folder of the embedded PostgreSQL cluster (env CAMPAIGND_DATA_DIR; default ./.campaignd)")
    var dataDirectory: String?

    @Option(name: .customLong("migrations-dir"), help: "Folder of the numbered SQL files (env CAMPAIGND_MIGRATIONS_DIR; default: found beside the binary or in ./migrations)")
    var migrationsDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical (env CAMPAIGND_LOG_LEVEL; default info for serve, warning otherwise)")
    var logLevel: String?

    @Option(name: .customLong("log-format"), help: "text (human) or json (one object per line) (env CAMPAIGND_LOG_FORMAT; default text)")
    var logFormat: String?

    var environment: [String: String] { ProcessInfo.processInfo.environment }

    /// A positive number from the flag, else the environment variable, else `fallback`.
    func positiveNumber(_ flag: Double?, _ variable: String, _ fallback: Double) throws -> Double {
        guard let text = setting(flag.map { "\($0)" }, variable, default: "\(fallback)"), let value = Double(text),
            value > 0
        else { throw ValidationError("\(variable) must be a positive number") }
        return value
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64(seconds * 1000)) }

    /// The flag, else the environment variable, else `fallback`.
    func setting(_ flag: String?, _ variable: String, default fallback: String? = nil) -> String? {
        if let flag { return flag }
        if let value = environment[variable], !value.isEmpty { return value }
        return fallback
    }

    /// - Parameter defaultLevel: `info` for the daemon; one-shot commands stay quiet unless asked.
    func makeLogger(defaultLevel: String = "warning", label: String = "campaignd") throws -> Logger {
        let name = setting(logLevel, "CAMPAIGND_LOG_LEVEL", default: defaultLevel) ?? defaultLevel
        guard let level = Logger.Level(rawValue: name.lowercased()) else {
            throw ValidationError("unknown log level \(name)")
        }
        let format = setting(logFormat, "CAMPAIGND_LOG_FORMAT", default: "text") ?? "text"
        switch format {
        case "json":
            LoggingSystem.bootstrap { DaemonLogHandler(label: $0, level: level, format: .json) }
        case "text":
            LoggingSystem.bootstrap { DaemonLogHandler(label: $0, level: level, format: .text) }
        default:
            throw ValidationError("unknown log format \(format): use text or json")
        }
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }
}

extension GlobalOptions {
    /// The scrypt parameters of new password hashes: `--password-cost` (log2 of N), else
    /// `CAMPAIGND_PASSWORD_COST`, else OWASP's minimum (``PasswordHasher/standard``).
    func passwordParameters(_ flag: Int?) throws -> PasswordHasher.Parameters {
        let standard = PasswordHasher.standard
        guard let cost = Int(setting(flag.map(String.init), "CAMPAIGND_PASSWORD_COST", default: "\(standard.logRounds)") ?? ""),
            (10...20).contains(cost)
        else { throw ValidationError("the password cost must be a whole number from 10 to 20") }
        return PasswordHasher.Parameters(logRounds: cost, blockSize: standard.blockSize, parallelism: standard.parallelism)
    }

    /// The migration files of `--migrations-dir` (or the folder found by default).
    func loadMigrations() throws -> [MigrationFile] {
        try MigrationFile.load(
            from: MigrationFile.locateDirectory(explicit: setting(migrationsDirectory, "CAMPAIGND_MIGRATIONS_DIR")))
    }
}

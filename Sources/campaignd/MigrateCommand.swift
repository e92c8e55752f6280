import ArgumentParser
import Migrations

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending migration files in order, each in its own transaction, under an advisory lock.")

    @OptionGroup var global: GlobalOptions

    @Flag(help: "List each migration file and whether it is applied, pending or changed; change nothing.")
    var status = false

    @Flag(name: .customLong("dry-run"), help: "Print the files that would be applied; change nothing.")
    var dryRun = false

    func run() async throws {
        let logger = try global.makeLogger()
        let files = try global.loadMigrations()
        let database = try await DatabaseSession.open(global, files: nil, logger: logger)
        try await database.run {
            let migrator = Migrator(files: files, configuration: database.configuration, logger: logger)
            if status {
                for (name, state) in try await migrator.status() {
                    switch state {
                    case .applied(let date): print("applied  \(name)  \(date)")
                    case .pending: print("pending  \(name)")
                    case .changed: print("CHANGED  \(name)  (file differs from the applied one)")
                    case .unknown: print("UNKNOWN  \(name)  (applied, but no such file)")
                    }
                }
                return
            }
            try await migrator.migrate(dryRun: dryRun) { print($0) }
        }
    }
}

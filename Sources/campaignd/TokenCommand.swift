import ArgumentParser
import Postgres
import Store

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a token and print it alone on stdout (it is shown only once).")

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("central"), help: "Name of the central operator the token acts for (created if new).")
        var centralName: String?

        func validate() throws {
            guard let centralName else { throw ValidationError("give --central NAME") }
            guard (1...200).contains(centralName.count) else {
                throw ValidationError("the operator name must be 1 to 200 characters")
            }
        }

        func run() async throws {
            let logger = try global.makeLogger()
            let database = try await DatabaseSession.open(global, files: try global.loadMigrations(), logger: logger)
            try await database.run {
                let pool = PostgresPool(
                    configuration: database.configuration, options: PostgresPoolOptions(maximumConnections: 1),
                    logger: logger)
                defer { pool.close() }
                do {
                    let token = try await TokenStore(pool: pool).createCentralToken(operatorName: centralName ?? "")
                    print(token.text)
                } catch let error as PostgresError where error.sqlState == PostgresError.SQLState.undefinedTable {
                    throw ValidationError("the database is not migrated: run campaignd migrate first")
                }
            }
        }
    }
}

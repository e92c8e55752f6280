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

        @Option(name: .customLong("entity"), help: "Code of the local entity the token acts for.")
        var entityCode: String?

        func validate() throws {
            switch (centralName, entityCode) {
            case (let name?, nil):
                guard (1...200).contains(name.count) else {
                    throw ValidationError("the operator name must be 1 to 200 characters")
                }
            case (nil, _?):
                break
            default:
                throw ValidationError("give either --central NAME or --entity CODE")
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
                    let tokens = TokenStore(pool: pool)
                    if let entityCode {
                        guard let token = try await tokens.createEntityToken(entityCode: entityCode, by: nil) else {
                            throw CommandFailure("no local entity has the code \(entityCode)")
                        }
                        print(token.text)
                    } else {
                        print(try await tokens.createCentralToken(operatorName: centralName ?? "").text)
                    }
                } catch let error as PostgresError where error.sqlState == PostgresError.SQLState.undefinedTable {
                    throw CommandFailure("the database is not migrated: run campaignd migrate first")
                }
            }
        }
    }
}

import ArgumentParser
import Postgres
import Store

struct SQLRole: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql-role", abstract: "Manage the SQL login roles of local entities.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Create a login role for local entity CODE that reads its own rows of the local schema \
                (notifications, orders) and nothing else; print role=<name> password=<secret>. \
                Run again to give the role a new password.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The local entity's code.")
        var code: String

        func run() async throws {
            let logger = try global.makeLogger()
            let database = try await DatabaseSession.open(global, files: try global.loadMigrations(), logger: logger)
            try await database.run {
                let connection = try await PostgresConnection.connect(database.configuration, logger: logger)
                defer { connection.close() }
                let created = try await CommandFailure.describingStoreErrors {
                    try await connection.withTransaction { try await SQLRoleRepository(connection: $0).create(entityCode: code) }
                }
                guard let created else { throw CommandFailure("no local entity has the code \(code)") }
                print("role=\(created.role) password=\(created.password)")
            }
        }
    }
}

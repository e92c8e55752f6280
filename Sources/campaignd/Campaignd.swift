import ArgumentParser

@main
struct Campaignd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaignd",
        abstract: "Campaign packages for a head office and its local entities: HTTP API, job workers, migrations.",
        discussion: """
            With no --database-url, CAMPAIGND_DATABASE_URL or libpq PG* variable, campaignd runs a private \
            PostgreSQL cluster under --data-dir (default ./.campaignd), starting it when needed.
            """,
        subcommands: [Serve.self, Worker.self, Migrate.self, Operator.self, Token.self, SQLRole.self]
    )
}

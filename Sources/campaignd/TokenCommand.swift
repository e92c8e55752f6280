import ArgumentParser
import Domain
import Postgres
import Store

struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage API tokens.", subcommands: [Create.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mint a token and print it alone on stdout (it is shown only once).")

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("central"), help: "Name of the operator the token acts for (created as an admin if new).")
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
            try await DatabaseSession.withStore(global) { store in
                let tokens = TokenStore(pool: store.pool)
                if let entityCode {
                    guard let token = try await tokens.createEntityToken(entityCode: entityCode, by: nil) else {
                        throw CommandFailure("no local entity has the code \(entityCode)")
                    }
                    print(token.text)
                } else {
                    print(try await tokens.createOperatorToken(operatorName: centralName ?? "", by: nil).text)
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke token ID (an id of GET /v1/tokens): it answers 401 on every daemon within a second.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The token's id.")
        var id: Int

        func run() async throws {
            let token = try await DatabaseSession.withStore(global) { store in
                try await store.transaction { try await $0.tokens.revoke(id, by: .system("command-line")) }
            }
            print("revoked token \(token.id) of \(token.ownerKind.rawValue) \(token.owner)")
        }
    }
}

import ArgumentParser
import Domain
import Foundation
import Postgres
import Store

struct Operator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "operator", abstract: "Manage operators (people and programs that sign in or hold tokens).",
        subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: """
                Create operator NAME with a role (viewer, editor, approver, admin, or local with --entity); \
                with --password-stdin, its password is the first line of standard input.
                """)

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The operator's name (what it types to sign in).")
        var name: String

        @Option(help: "viewer, editor, approver, admin or local.")
        var role: String

        @Option(name: .customLong("entity"), help: "The entity a local operator acts as.")
        var entityCode: String?

        @Option(name: .customLong("display-name"), help: "A name for people (\"Marie Dupont\").")
        var displayName: String?

        @Flag(name: .customLong("password-stdin"), help: "Read the password (12 to 1,024 characters) from the first line of stdin.")
        var passwordFromStandardInput = false

        func validate() throws {
            guard let role = OperatorRole(rawValue: role) else {
                throw ValidationError("--role must be one of \(OperatorRole.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let problems = OperatorRules.checkName(name, field: "NAME") + OperatorRules.checkEntity(entityCode, role: role)
            if let problem = problems.first { throw ValidationError("\(problem.field == "entity" ? "--entity" : problem.field) \(problem.message)") }
        }

        func run() async throws {
            let role = OperatorRole(rawValue: role) ?? .viewer
            var password: String?
            if passwordFromStandardInput {
                // One line, its line break dropped: `printf '%s\n' "$PASSWORD" | campaignd operator create …`.
                let line = readLine(strippingNewline: true) ?? ""
                if let problem = OperatorRules.checkPassword(line).first { throw CommandFailure("the password \(problem.message)") }
                password = line
            }
            var hash: String?
            if let password {
                hash = try await PasswordHasher(parameters: try global.passwordParameters(nil)).hash(password)
            }
            let actor = Principal.system("command-line")
            try await DatabaseSession.withStore(global) { store in
                try await store.transaction { transaction in
                    _ = try await transaction.operators.create(
                        name: name, role: role, entityCode: entityCode, displayName: displayName, by: actor)
                    if let hash { try await transaction.operators.setPasswordHash(hash, of: name, by: actor) }
                }
            }
            print(name)
        }
    }
}

extension CommandFailure {
    /// Runs `body`, turning a store refusal (an unknown entity, a name taken) or a database
    /// not migrated yet into a one-line failure.
    static func describingStoreErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            switch error {
            case .notFound(let what): throw CommandFailure("no such \(what)")
            case .validation(let failure): throw CommandFailure(failure.description)
            case .conflict(_, let message), .forbidden(let message): throw CommandFailure(message)
            case .invalidTransition(let refusal): throw CommandFailure(refusal.reason)
            case .staleVersion: throw CommandFailure("the resource changed meanwhile; try again")
            }
        } catch let failure as ValidationFailure {
            throw CommandFailure(failure.description)
        } catch let error as PostgresError where error.sqlState == PostgresError.SQLState.undefinedTable {
            throw CommandFailure("the database is not migrated: run campaignd migrate first")
        }
    }
}

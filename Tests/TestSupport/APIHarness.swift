import Domain
import Foundation
import Postgres
import Store
import Testing

/// A real `campaignd serve` on a fresh migrated database, with two central clients: an
/// admin (`tester`, who creates and submits) and an approver (`checker`, the second pair
/// of eyes that approves, rejects and publishes).
public final class APIHarness: Sendable {
    public let database: TestDatabase
    public let daemon: DaemonProcess
    public let central: HTTPTestClient
    public let approver: HTTPTestClient

    private init(database: TestDatabase, daemon: DaemonProcess, central: HTTPTestClient, approver: HTTPTestClient) {
        self.database = database
        self.daemon = daemon
        self.central = central
        self.approver = approver
    }

    /// Starts the daemon on the test's database (the `.databasePerTest` or `.database`
    /// trait's; the test ends the daemon: ``DaemonProcess`` kills it when released).
    /// - Parameters:
    ///   - databaseURL: the daemon's `--database-url` when not the test database itself
    ///     (PgBouncer in front of it, say); given the database, it returns the URL.
    ///   - given: a database other than the trait's (one on a private cluster).
    public static func start(
        _ extraArguments: [String] = [], environment: [String: String] = DaemonProcess.environment(),
        databaseURL: (@Sendable (TestDatabase) async throws -> String)? = nil, database given: TestDatabase? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> APIHarness {
        let database = try given ?? TestDatabase.get(sourceLocation: sourceLocation)
        let url = try await databaseURL?(database) ?? database.serviceConnectionString
        let daemon = try await DaemonProcess.start(
            ["serve", "--port", "0", "--database-url", url, "--pool-size", "4"] + extraArguments,
            environment: environment)
        let port = try await daemon.waitForPort()
        let pool = database.makePool(PostgresPoolOptions(minimumConnections: 0, maximumConnections: 1))
        defer { pool.close() }
        let tokens = TokenStore(pool: pool)
        let token = try await tokens.createOperatorToken(operatorName: "tester", by: nil)
        try await Store(pool: pool).transaction { transaction in
            if try await transaction.operators.find("checker") == nil {
                _ = try await transaction.operators.create(
                    name: "checker", role: .approver, entityCode: nil, displayName: nil, by: .system("tests"))
            }
        }
        let approver = try await tokens.createOperatorToken(operatorName: "checker", by: nil)
        return APIHarness(
            database: database, daemon: daemon, central: HTTPTestClient(port: port, token: token.text),
            approver: HTTPTestClient(port: port, token: approver.text))
    }

    /// A client holding a new token of operator `name` with `role` (created when new;
    /// `entity` for a local operator).
    public func operatorClient(_ name: String, role: OperatorRole, entity: String? = nil) async throws -> HTTPTestClient {
        let pool = database.makePool(PostgresPoolOptions(minimumConnections: 0, maximumConnections: 1))
        defer { pool.close() }
        try await Store(pool: pool).transaction { transaction in
            if try await transaction.operators.find(name) == nil {
                _ = try await transaction.operators.create(
                    name: name, role: role, entityCode: entity, displayName: nil, by: .system("tests"))
            }
        }
        let token = try await TokenStore(pool: pool).createOperatorToken(operatorName: name, by: nil)
        return HTTPTestClient(port: central.port, token: token.text)
    }

    /// Creates a local entity and returns a client holding its token.
    public func entity(_ code: String, label: String? = nil) async throws -> HTTPTestClient {
        let created = try await central.post("/v1/entities", #"{"code": "\#(code)", "label": "\#(label ?? code)"}"#)
        guard created.status == 201 else { throw HTTPTestClient.Failure(description: "entity: \(created.text)") }
        let token = try await central.post("/v1/entities/\(code)/tokens")
        guard token.status == 201, let text = try token.string("token") else {
            throw HTTPTestClient.Failure(description: "token: \(token.text)")
        }
        return HTTPTestClient(port: central.port, token: text)
    }

    /// Creates a package and moves it to `published` (or stops at `status`).
    public func package(
        _ json: String = #"{"label": "Spring", "type": "local", "campaign_name": "spring", "campaign_folder": "/c"}"#,
        upTo status: String = "published"
    ) async throws -> String {
        let created = try await central.post("/v1/packages", json)
        guard created.status == 201, let id = try created.string("id") else {
            throw HTTPTestClient.Failure(description: "package: \(created.text)")
        }
        for (action, reached) in [("submit", "pending_approval"), ("approve", "approved"), ("publish", "published")] {
            let current = try await central.get("/v1/packages/\(id)").string("status")
            // An approved package whose available_at has passed is published by a worker.
            if current == status || current == "published" { break }
            // Four eyes: the admin submits, the approver decides and publishes.
            let answer = try await (action == "submit" ? central : approver).post("/v1/packages/\(id)/\(action)")
            if action == "publish", answer.status == 409,
                try await central.get("/v1/packages/\(id)").string("status") == "published"
            {
                break  // the scheduled publication won the race
            }
            guard answer.status == 200, try answer.string("status") == reached else {
                throw HTTPTestClient.Failure(description: "\(action): \(answer.text)")
            }
        }
        return id
    }

    /// The job once it succeeded or failed (the daemon's workers run it).
    public func finishedJob(_ id: String) async throws -> HTTPTestResponse {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            let job = try await central.get("/v1/jobs/\(id)")
            if try job.string("status") == "succeeded" || job.string("status") == "failed" { return job }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw HTTPTestClient.Failure(description: "job \(id) did not finish")
    }

    /// A direct database connection (for checks the API does not show).
    public func connect() async throws -> PostgresConnection { try await database.connect() }
}

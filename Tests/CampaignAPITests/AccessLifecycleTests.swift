import Foundation
import Postgres
import TestSupport
import Testing

/// Tokens listed and revoked, entities edited and disabled: each change ends access at
/// once on the daemon that made it, and on every other daemon as soon as the database's
/// announcement reaches it, not when a cached token expires.
@Suite(.databasePerTest) struct AccessLifecycleTests {
    /// A second daemon on the same database that remembers tokens for a minute: within
    /// the test's deadline, only the announcement can make it answer 401.
    static func secondDaemon(_ api: APIHarness) async throws -> (DaemonProcess, Int) {
        let daemon = try await DaemonProcess.start([
            "serve", "--port", "0", "--database-url", api.database.serviceConnectionString, "--pool-size", "2",
            "--workers", "0", "--token-cache", "60",
        ])
        return (daemon, try await daemon.waitForPort())
    }

    /// Polls `client` on `path` until it answers 401; returns how long that took.
    static func timeUntilRefused(_ client: HTTPTestClient, _ path: String = "/v1/packages") async throws -> Duration? {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(10) {
            if try await client.get(path).status == 401 { return ContinuousClock.now - start }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test func tokensAreListedWithoutSecretsAndRevokedEverywhere() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let editor = try await api.operatorClient("eddy", role: .editor)
        let listed = try await api.central.get("/v1/tokens")
        #expect(listed.status == 200)
        let items = try listed.items()
        #expect(items.count == 4)
        for secret in [paris.token, editor.token, api.central.token].compactMap({ $0 }) {
            #expect(!listed.text.contains(String(secret.dropFirst(4 + 16))), "a secret is shown")
        }
        let parisToken = try #require(items.first { $0["owner"] as? String == "PAR-01" })
        #expect(parisToken["owner_kind"] as? String == "entity" && parisToken["revoked_at"] is NSNull)
        let eddyID = try #require(items.first { $0["owner"] as? String == "eddy" }?["id"] as? String)
        #expect(try await api.central.get("/v1/tokens?owner_kind=entity").items().count == 1)
        #expect(try await api.central.get("/v1/tokens?owner=eddy&revoked=false").items().count == 1)
        #expect(try await api.central.get("/v1/tokens?limit=1").json()["next_cursor"] as? String != nil)
        #expect(try await api.central.get("/v1/tokens?owner_kind=robot").status == 422)

        // Both daemons know the token (the second will remember it for a minute).
        let (second, port) = try await Self.secondDaemon(api)
        let elsewhere = HTTPTestClient(port: port, token: editor.token)
        #expect(try await elsewhere.get("/v1/packages").status == 200)
        #expect(try await editor.get("/v1/packages").status == 200)
        #expect(try await api.central.send("DELETE", "/v1/tokens/\(eddyID)", body: nil).status == 204)
        #expect(try await editor.get("/v1/packages").status == 401)  // here, at once
        let delay = try await Self.timeUntilRefused(elsewhere)
        #expect(delay != nil, "the second daemon still accepts a revoked token")
        print("revocation reached the second daemon after \(delay.map { "\($0)" } ?? "never")")
        // Revoking again changes nothing; an unknown token is 404.
        #expect(try await api.central.send("DELETE", "/v1/tokens/\(eddyID)", body: nil).status == 204)
        #expect(try await api.central.send("DELETE", "/v1/tokens/999999", body: nil).status == 404)
        let revoked = try await api.central.get("/v1/tokens?revoked=true").items()
        #expect(revoked.map { $0["id"] as? String } == [eddyID] && !(revoked[0]["revoked_at"] is NSNull))

        // The command line revokes as well, and the other daemon hears of it.
        let parisID = try #require(parisToken["id"] as? String)
        let parisElsewhere = HTTPTestClient(port: port, token: paris.token)
        #expect(try await parisElsewhere.get("/v1/notifications").status == 200)
        let cli = try await DaemonProcess.run(["token", "revoke", parisID, "--database-url", api.database.connectionString])
        #expect(cli.status == 0 && cli.stdout.contains("PAR-01"), "\(cli.stderr)")
        #expect(try await Self.timeUntilRefused(parisElsewhere, "/v1/notifications") != nil)
        #expect(try await Self.timeUntilRefused(paris, "/v1/notifications") != nil)
        #expect(try await DaemonProcess.run(["token", "revoke", "999999", "--database-url", api.database.connectionString]).status != 0)
        withExtendedLifetime(second) {}
    }

    @Test func disablingAnOperatorOrAnEntityReachesTheOtherDaemon() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let clerk = try await api.operatorClient("par-clerk", role: .local, entity: "PAR-01")
        let editor = try await api.operatorClient("eddy", role: .editor)
        let (second, port) = try await Self.secondDaemon(api)
        let editorThere = HTTPTestClient(port: port, token: editor.token)
        let parisThere = HTTPTestClient(port: port, token: paris.token)
        let clerkThere = HTTPTestClient(port: port, token: clerk.token)
        #expect(try await editorThere.get("/v1/packages").status == 200)
        #expect(try await parisThere.get("/v1/notifications").status == 200)
        #expect(try await clerkThere.get("/v1/notifications").status == 200)

        #expect(try await api.central.patch("/v1/operators/eddy", #"{"disabled": true}"#).status == 200)
        #expect(try await Self.timeUntilRefused(editorThere) != nil)
        // Disabling an entity ends its tokens and its local operators' alike.
        #expect(try await api.central.patch("/v1/entities/PAR-01", #"{"disabled": true}"#).status == 200)
        #expect(try await Self.timeUntilRefused(parisThere, "/v1/notifications") != nil)
        #expect(try await Self.timeUntilRefused(clerkThere, "/v1/notifications") != nil)
        #expect(try await paris.get("/v1/notifications").status == 401)
        // Enabled again, they work again.
        #expect(try await api.central.patch("/v1/entities/PAR-01", #"{"disabled": false}"#).status == 200)
        #expect(try await parisThere.get("/v1/notifications").status == 200)
        withExtendedLifetime(second) {}
    }

    @Test func entitiesAreEditedAndADisabledOneCannotOrderNorLogInOverSQL() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let id = try await api.package()
        let edited = try await api.central.patch("/v1/entities/PAR-01", #"{"label": "Paris Nord", "tags": ["north", "franchise", "north"]}"#)
        #expect(edited.status == 200, "\(edited.text)")
        #expect(try edited.string("label") == "Paris Nord")
        #expect(try edited.json()["tags"] as? [String] == ["franchise", "north"])
        #expect(try await api.central.get("/v1/entities/PAR-01").json()["tags"] as? [String] == ["franchise", "north"])
        #expect(try await api.central.get("/v1/entities/NOPE").status == 404)
        #expect(try await api.central.patch("/v1/entities/NOPE", "{}").status == 404)
        // Bad input is refused whole.
        for body in [#"{"tags": ["North"]}"#, #"{"tags": ["a b"]}"#, #"{"label": " "}"#, #"{"tags": "north"}"#] {
            #expect(try await api.central.patch("/v1/entities/PAR-01", body).status == 422, "\(body)")
        }
        let tooMany = "[" + (0..<33).map { "\"t\($0)\"" }.joined(separator: ",") + "]"
        #expect(try await api.central.patch("/v1/entities/PAR-01", #"{"label": "X", "tags": \#(tooMany)}"#).status == 422)
        #expect(try await api.central.get("/v1/entities/PAR-01").string("label") == "Paris Nord")

        // Its SQL polling role works until the entity is disabled.
        let made = try await DaemonProcess.run(["sql-role", "create", "PAR-01", "--database-url", api.database.connectionString])
        let fields = made.stdout.trimmingCharacters(in: .newlines).split(separator: " ")
        let role = String(try #require(fields.first).dropFirst(5))
        let password = String(try #require(fields.last).dropFirst(9))
        let login = try PostgresConfiguration(
            api.database.connectionString + " user='\(role)' password='\(password)'")
        let open = try await PostgresConnection.connect(login, logger: TestCluster.logger)
        defer { open.close() }
        #expect(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "before"}"#).status == 201)
        #expect(try await open.query("SELECT count(*) AS n FROM local.orders")[0].decode(Int.self, "n") == 1)

        let disabled = try await api.central.patch("/v1/entities/PAR-01", #"{"disabled": true}"#)
        #expect(try disabled.json()["disabled"] as? Bool == true)
        #expect(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "after"}"#).status == 401)
        // A session opened before reads nothing now; a new one is refused.
        #expect(try await open.query("SELECT count(*) AS n FROM local.orders")[0].decode(Int.self, "n") == 0)
        await #expect(throws: PostgresError.self) {
            try await PostgresConnection.connect(login, logger: TestCluster.logger).close()
        }
        let again = try await DaemonProcess.run(["sql-role", "create", "PAR-01", "--database-url", api.database.connectionString])
        #expect(again.status != 0 && again.stderr.contains("disabled"), "\(again.stderr)")

        #expect(try await api.central.patch("/v1/entities/PAR-01", #"{"disabled": false}"#).status == 200)
        let reopened = try await PostgresConnection.connect(login, logger: TestCluster.logger)
        defer { reopened.close() }
        #expect(try await reopened.query("SELECT count(*) AS n FROM local.orders")[0].decode(Int.self, "n") == 1)
        let connection = try await api.connect()
        defer { connection.close() }
        let journal = try await connection.query(
            "SELECT action FROM central.audit_journal WHERE subject = 'entity' ORDER BY id"
        ).map { try $0.decode(String.self, "action") }
        #expect(journal == ["create", "edit", "edit", "edit"])
    }
}

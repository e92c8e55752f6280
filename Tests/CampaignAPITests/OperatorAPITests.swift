import Foundation
import Postgres
import TestSupport
import Testing

/// Operators through the API: accounts, roles, passwords, four eyes and reviewers.
@Suite(.databasePerTest) struct OperatorAPITests {
    @Test func anAdminManagesOperatorsAndTheLastAdminStays() async throws {
        let api = try await APIHarness.start()
        _ = try await api.entity("PAR-01")
        let created = try await api.central.post("/v1/operators", #"{"name": "marie", "role": "editor", "display_name": "Marie D."}"#)
        #expect(created.status == 201, "\(created.text)")
        #expect(created.headers["location"] == "/v1/operators/marie")
        let marie = try created.json()
        #expect(marie["role"] as? String == "editor" && marie["display_name"] as? String == "Marie D.")
        #expect(marie["entity"] is NSNull && marie["disabled"] as? Bool == false && marie["has_password"] as? Bool == false)
        // A name taken, a local operator without its entity, a central one with one, a bad name.
        for (body, status) in [
            (#"{"name": "marie", "role": "viewer"}"#, 409),
            (#"{"name": "clerk", "role": "local"}"#, 422),
            (#"{"name": "boss", "role": "admin", "entity": "PAR-01"}"#, 422),
            (#"{"name": "clerk", "role": "local", "entity": "NOPE"}"#, 422),
            (#"{"name": "no spaces", "role": "viewer"}"#, 422),
            (#"{"name": "x", "role": "owner"}"#, 422),
        ] {
            #expect(try await api.central.post("/v1/operators", body).status == status, "\(body)")
        }
        let clerk = try await api.central.post("/v1/operators", #"{"name": "clerk", "role": "local", "entity": "PAR-01"}"#)
        #expect(try clerk.string("entity") == "PAR-01")
        let names = try await api.central.get("/v1/operators?limit=2").items().compactMap { $0["name"] as? String }
        #expect(names == ["checker", "clerk"])
        let rest = try await api.central.get("/v1/operators?cursor=clerk").items().compactMap { $0["name"] as? String }
        #expect(rest == ["marie", "tester"])
        #expect(try await api.central.get("/v1/operators/nobody").status == 404)

        // Role and display name change; a local operator stays local, a central one central.
        let promoted = try await api.central.patch("/v1/operators/marie", #"{"role": "approver", "display_name": null}"#)
        #expect(try promoted.string("role") == "approver" && promoted.json()["display_name"] is NSNull)
        #expect(try await api.central.patch("/v1/operators/marie", #"{"role": "local"}"#).status == 422)
        #expect(try await api.central.patch("/v1/operators/clerk", #"{"role": "viewer"}"#).status == 422)
        // The only admin cannot be demoted or disabled, by itself or anyone.
        for body in [#"{"role": "viewer"}"#, #"{"disabled": true}"#] {
            let refused = try await api.central.patch("/v1/operators/tester", body)
            #expect(try refused.status == 409 && refused.string("code") == "last_admin", "\(refused.text)")
        }
        #expect(try await api.central.patch("/v1/operators/marie", #"{"role": "admin"}"#).status == 200)
        #expect(try await api.central.patch("/v1/operators/tester", #"{"role": "viewer"}"#).status == 200)
        // The journal keeps every change of an operator.
        let connection = try await api.connect()
        defer { connection.close() }
        let changes = try await connection.query(
            "SELECT action FROM central.audit_journal WHERE subject = 'operator' ORDER BY id"
        ).map { try $0.decode(String.self, "action") }
        #expect(changes == ["create", "create", "create", "edit", "edit", "edit"])
    }

    @Test func aDisabledOperatorsTokensStopAtOnceAndComeBack() async throws {
        let api = try await APIHarness.start()
        let editor = try await api.operatorClient("eddy", role: .editor)
        #expect(try await editor.get("/v1/packages").status == 200)
        #expect(try await api.central.patch("/v1/operators/eddy", #"{"disabled": true}"#).status == 200)
        #expect(try await editor.get("/v1/packages").status == 401)
        #expect(try await api.central.patch("/v1/operators/eddy", #"{"disabled": false}"#).status == 200)
        #expect(try await editor.get("/v1/packages").status == 200)
        // A new role applies to the next request, however recently the token was used.
        #expect(try await editor.post("/v1/packages/1/submit").status != 403)
        #expect(try await api.central.patch("/v1/operators/eddy", #"{"role": "viewer"}"#).status == 200)
        let refused = try await editor.post("/v1/packages/1/submit")
        #expect(try refused.status == 403 && refused.string("required_role") == "editor", "\(refused.text)")
    }

    @Test func passwordsFollowTheRulesAndWrongOnesAreLimited() async throws {
        // Two wrong passwords per operator; a cheap scrypt (the standard one, which takes
        // seconds in a debug build, is PasswordTests').
        let api = try await APIHarness.start(["--password-attempts", "2", "--password-cost", "10"])
        let viewer = try await api.operatorClient("vera", role: .viewer)
        let other = try await api.operatorClient("otto", role: .viewer)
        // An admin sets anyone's; lengths are counted in characters (12 to 1,024).
        for (password, status) in [
            ("short-pass1", 422), (String(repeating: "é", count: 1025), 422),
            (String(repeating: "é", count: 12), 204), ("correct horse battery staple", 204),
        ] {
            let body = try String(decoding: JSONSerialization.data(withJSONObject: ["password": password]), as: UTF8.self)
            #expect(try await api.central.put("/v1/operators/vera/password", body).status == status, "\(password.count)")
        }
        #expect(try await api.central.get("/v1/operators/vera").json()["has_password"] as? Bool == true)
        #expect(try await api.central.put("/v1/operators/nobody/password", #"{"password": "long enough password"}"#).status == 404)
        // Only the hash is stored, in scrypt's PHC form, with the daemon's cost.
        let connection = try await api.connect()
        defer { connection.close() }
        let stored = try await connection.query("SELECT password_hash FROM central.operators WHERE name = 'vera'")[0]
            .decode(String.self, "password_hash")
        #expect(stored.hasPrefix("$scrypt$ln=10,r=8,p=1$") && !stored.contains("horse"))

        // Another operator's password is an admin's business.
        let refused = try await other.put("/v1/operators/vera/password", #"{"password": "a new long password"}"#)
        #expect(try refused.status == 403 && refused.string("required_role") == "admin")
        // One's own: with the current password.
        #expect(try await viewer.put("/v1/operators/vera/password", #"{"password": "a new long password"}"#).status == 422)
        let wrong = try await viewer.put(
            "/v1/operators/vera/password", #"{"current_password": "not it at all", "password": "a new long password"}"#)
        #expect(try wrong.status == 403 && wrong.string("code") == "wrong_password")
        let changed = try await viewer.put(
            "/v1/operators/vera/password", #"{"current_password": "correct horse battery staple", "password": "a new long password"}"#)
        #expect(changed.status == 204, "\(changed.text)")
        // Two wrong guesses (the success above started the count again), then 429 with
        // Retry-After, even for the right password, and nothing changes.
        for _ in 0..<2 {
            let guess = try await viewer.put(
                "/v1/operators/vera/password", #"{"current_password": "guess guess guess", "password": "another long password"}"#)
            #expect(guess.status == 403)
        }
        let limited = try await viewer.put(
            "/v1/operators/vera/password", #"{"current_password": "a new long password", "password": "another long password"}"#)
        #expect(try limited.status == 429 && limited.string("code") == "too_many_attempts", "\(limited.text)")
        #expect(Int(limited.headers["retry-after"] ?? "") ?? 0 > 0)
        let after = try await connection.query("SELECT password_hash FROM central.operators WHERE name = 'vera'")[0]
            .decode(String.self, "password_hash")
        #expect(after != stored)
        #expect(try await connection.query("SELECT count(*) AS n FROM central.audit_journal WHERE action = 'set_password'")[0]
            .decode(Int.self, "n") == 3)
    }

    @Test func theCommandLineCreatesOperatorsWithAPassword() async throws {
        let api = try await APIHarness.start()
        let url = api.database.connectionString
        let made = try await DaemonProcess.run(
            ["operator", "create", "anna", "--role", "approver", "--password-stdin", "--database-url", url],
            input: "a long enough password\n", environment: DaemonProcess.environment(["CAMPAIGND_PASSWORD_COST": "10"]))
        #expect(made.status == 0, "\(made.stderr)")
        let connection = try await api.connect()
        defer { connection.close() }
        let stored = try await connection.query("SELECT password_hash FROM central.operators WHERE name = 'anna'")[0]
            .decode(String.self, "password_hash")
        #expect(stored.hasPrefix("$scrypt$ln=10,r=8,p=1$"))
        let anna = try await api.central.get("/v1/operators/anna").json()
        #expect(anna["role"] as? String == "approver" && anna["has_password"] as? Bool == true)
        for (arguments, input, message) in [
            (["operator", "create", "bob", "--role", "chief"], "", "--role"),
            (["operator", "create", "bob", "--role", "local"], "", "--entity"),
            (["operator", "create", "bob", "--role", "viewer", "--password-stdin"], "too short\n", "password"),
            (["operator", "create", "anna", "--role", "viewer"], "", "already exists"),
            (["operator", "create", "bob", "--role", "local", "--entity", "NOPE"], "", "unknown entities"),
        ] {
            let failed = try await DaemonProcess.run(arguments + ["--database-url", url], input: input)
            #expect(failed.status != 0 && failed.stderr.contains(message), "\(arguments): \(failed.stderr)")
        }
        // `token create --central` mints for an existing operator, keeping its role.
        let minted = try await DaemonProcess.run(["token", "create", "--central", "anna", "--database-url", url])
        let anna2 = HTTPTestClient(port: api.central.port, token: minted.stdout.trimmingCharacters(in: .newlines))
        let refused = try await anna2.post("/v1/packages", "{}")
        #expect(try refused.status == 403 && refused.string("required_role") == "editor")
    }

    @Test func theSubmitterDoesNotDecideAndReviewersDo() async throws {
        let api = try await APIHarness.start()
        let rita = try await api.operatorClient("rita", role: .approver)
        let boss = try await api.operatorClient("boss", role: .admin)
        let id = try await api.package(upTo: "pending_approval")
        // Four eyes: tester submitted it.
        for action in ["approve", "reject"] {
            let refused = try await api.central.post("/v1/packages/\(id)/\(action)")
            #expect(try refused.status == 403 && refused.string("code") == "four_eyes", "\(refused.text)")
            #expect(try refused.string("submitted_by") == "operator:tester")
        }
        #expect(try await api.central.get("/v1/packages/\(id)").string("status") == "pending_approval")
        #expect(try await api.central.get("/v1/packages/\(id)").string("submitted_by") == "operator:tester")
        let approved = try await api.approver.post("/v1/packages/\(id)/approve", #"{"comment": "fine"}"#)
        #expect(approved.status == 200)
        let journal = try await api.central.get("/v1/packages/\(id)/journal").items()
        let entry = try #require(journal.first { $0["action"] as? String == "approve" })
        #expect(entry["actor"] as? String == "operator:checker")
        #expect((entry["after"] as? [String: Any])?["submitted_by"] as? String == "operator:tester")
        #expect((entry["after"] as? [String: Any])?["self_approval"] as? Bool == false)

        // Reviewers: only they, or an admin (not the submitter), decide.
        let reviewed = try #require(
            try await api.central.post(
                "/v1/packages", #"{"label": "R", "type": "local", "campaign_name": "r", "campaign_folder": "/r", "reviewers": ["rita"]}"#
            ).string("id"))
        #expect(try await api.central.get("/v1/packages/\(reviewed)").json()["reviewers"] as? [String] == ["rita"])
        #expect(try await api.central.post("/v1/packages/\(reviewed)/submit").status == 200)
        let notReviewer = try await api.approver.post("/v1/packages/\(reviewed)/approve")
        #expect(try notReviewer.status == 403 && notReviewer.string("code") == "forbidden")
        #expect(try notReviewer.string("required_role") == "admin")
        #expect(try notReviewer.json()["reviewers"] as? [String] == ["rita"])
        #expect(try await rita.post("/v1/packages/\(reviewed)/reject", #"{"comment": "no"}"#).status == 200)
        #expect(try await api.central.post("/v1/packages/\(reviewed)/submit").status == 409)  // rejected: edit first
        #expect(try await api.central.patch("/v1/packages/\(reviewed)", #"{"label": "R2"}"#).status == 200)
        #expect(try await api.central.post("/v1/packages/\(reviewed)/submit").status == 200)
        #expect(try await boss.post("/v1/packages/\(reviewed)/approve").status == 200)

        // Reviewers must be operators who may approve.
        _ = try await api.operatorClient("vera", role: .viewer)
        for reviewers in [#"["vera"]"#, #"["nobody"]"#, #"["rita", "rita"]"#] {
            let refused = try await api.central.post(
                "/v1/packages", #"{"label": "X", "type": "local", "campaign_name": "x", "campaign_folder": "/x", "reviewers": \#(reviewers)}"#)
            #expect(refused.status == 422, "\(reviewers): \(refused.text)")
        }
    }

    @Test func aLocalOperatorActsAsItsEntityAndIsNamedInWhatItDoes() async throws {
        let api = try await APIHarness.start()
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let clerk = try await api.operatorClient("par-clerk", role: .local, entity: "PAR-01")
        let id = try await api.package()
        let placed = try await clerk.post("/v1/packages/\(id)/orders", #"{"label": "by the clerk"}"#)
        #expect(placed.status == 201, "\(placed.text)")
        #expect(try placed.string("entity") == "PAR-01")
        #expect(try placed.string("created_by") == "entity:PAR-01/operator:par-clerk")
        // The entity's own token sees it; the other entity does not, nor its rows the clerk.
        let order = try #require(try placed.string("id"))
        #expect(try await paris.get("/v1/orders/\(order)").status == 200)
        #expect(try await lyon.get("/v1/orders/\(order)").status == 404)
        let theirs = try #require(try await lyon.post("/v1/packages/\(id)/orders", #"{"label": "l"}"#).string("id"))
        #expect(try await clerk.get("/v1/orders/\(theirs)").status == 404)
        let central = try await clerk.get("/v1/packages")
        #expect(try central.status == 403 && central.string("required_role") == "viewer")
    }

    @Test func selfApprovalWhenTheDaemonAllowsIt() async throws {
        let api = try await APIHarness.start(["--allow-self-approval"])
        let id = try await api.package(upTo: "pending_approval")
        #expect(try await api.central.post("/v1/packages/\(id)/approve").status == 200)
        let entry = try #require(try await api.central.get("/v1/packages/\(id)/journal").items().last)
        #expect(entry["actor"] as? String == "operator:tester")
        #expect((entry["after"] as? [String: Any])?["self_approval"] as? Bool == true)
    }
}

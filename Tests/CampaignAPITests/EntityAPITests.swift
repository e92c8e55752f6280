import Foundation
import TestSupport
import Testing

@Suite(.databasePerTest) struct EntityAPITests {
    @Test func centralCreatesAndListsEntities() async throws {
        let api = try await APIHarness.start()
        let created = try await api.central.post("/v1/entities", #"{"code": "PAR-01", "label": "Paris"}"#)
        #expect(created.status == 201)
        #expect(try created.string("code") == "PAR-01")
        #expect(try created.string("id") != nil)
        for code in ["LYO-01", "NCE-01", "BDX-01"] {
            #expect(try await api.central.post("/v1/entities", #"{"code": "\#(code)", "label": "x"}"#).status == 201)
        }
        let first = try await api.central.get("/v1/entities?limit=3")
        #expect(try first.items().map { $0["code"] as? String } == ["BDX-01", "LYO-01", "NCE-01"])
        let cursor = try #require(try first.string("next_cursor"))
        let second = try await api.central.get("/v1/entities?limit=3&cursor=\(cursor)")
        #expect(try second.items().map { $0["code"] as? String } == ["PAR-01"])
        #expect(try second.json()["next_cursor"] is NSNull)
    }

    @Test func duplicateAndInvalidCodesAreRefused() async throws {
        let api = try await APIHarness.start()
        #expect(try await api.central.post("/v1/entities", #"{"code": "A1", "label": "a"}"#).status == 201)
        let duplicate = try await api.central.post("/v1/entities", #"{"code": "A1", "label": "again"}"#)
        #expect(duplicate.status == 409)
        #expect(try duplicate.string("code") == "conflict")
        let invalid = try await api.central.post("/v1/entities", #"{"code": "no spaces", "label": ""}"#)
        #expect(invalid.status == 422)
        #expect(invalid.headers["content-type"] == "application/problem+json")
        let fields = try (invalid.json()["problems"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        #expect(Set(fields) == ["code", "label"])
        let list = try await api.central.get("/v1/entities")
        #expect(try list.items().count == 1)
    }

    @Test func tokensAuthenticateAndScopeTheCaller() async throws {
        let api = try await APIHarness.start()
        let local = try await api.entity("PAR-01")
        // The local token works, but not for central actions.
        #expect(try await local.get("/v1/catalog").status == 200)
        let forbidden = try await local.post("/v1/entities", #"{"code": "X", "label": "x"}"#)
        #expect(forbidden.status == 403)
        #expect(try forbidden.string("code") == "forbidden")
        #expect(try await local.get("/v1/packages").status == 403)
        // No token, a malformed one, an unknown one: 401 with a problem document.
        var anonymous = api.central
        anonymous.token = nil
        let missing = try await anonymous.get("/v1/packages")
        #expect(missing.status == 401)
        #expect(try missing.string("code") == "unauthorized")
        #expect(missing.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
        anonymous.token = "cdt_" + String(repeating: "0", count: 80)
        #expect(try await anonymous.get("/v1/packages").status == 401)
        anonymous.token = "not-a-token"
        #expect(try await anonymous.get("/v1/packages").status == 401)
        // The scheme is case-insensitive and blanks around the token do not matter (RFC 9110);
        // another scheme, an empty token or an upper-case token do not authenticate.
        let token = try #require(api.central.token)
        for (header, status) in [
            ("bearer \(token)", 200), ("BEARER \(token)", 200), ("Bearer \t \(token)  ", 200),
            ("Basic \(token)", 401), ("Bearer ", 401), ("Bearer\(token)", 401), ("Bearer \(token.uppercased())", 401),
        ] {
            #expect(try await anonymous.get("/v1/packages", headers: ["Authorization": header]).status == status, "\(header)")
        }
        // A token for an unknown entity cannot be made.
        #expect(try await api.central.post("/v1/entities/NOPE/tokens").status == 404)
    }

    @Test func tokensAreStoredHashed() async throws {
        let api = try await APIHarness.start()
        let local = try await api.entity("PAR-01")
        let token = try #require(local.token)
        let connection = try await api.connect()
        defer { connection.close() }
        let rows = try await connection.query("SELECT lookup, secret_hash FROM central.api_tokens")
        #expect(rows.count == 3)  // the harness's two operators', and the entity's
        for row in rows {
            let hash = try row.decode(String.self, "secret_hash")
            #expect(!token.contains(hash))
            #expect(hash.count == 64)
        }
        // The stored hash is the SHA-256 of the whole token, as PostgreSQL computes it.
        let matching = try await connection.query(
            "SELECT count(*) AS n FROM central.api_tokens WHERE secret_hash = encode(sha256(convert_to(\(token), 'UTF8')), 'hex')")
        #expect(try matching[0].decode(Int.self, "n") == 1)
    }
}

@Suite(.databasePerTest) struct MethodTests {
    /// A path that exists under other methods answers 405 with `Allow`; one that does not
    /// exist at all answers 404; a handler's own 404 stays a 404.
    @Test func aWrongMethodIsAnswered405WithAllow() async throws {
        let api = try await APIHarness.start()
        for (method, path, allow) in [
            ("DELETE", "/v1/packages", "GET, POST"),
            ("PUT", "/v1/packages/123", "GET, PATCH"),
            ("GET", "/v1/packages/123/cancel", "POST"),
            ("POST", "/healthz", "GET"),
            ("TRACE", "/v1/notifications", "GET"),
        ] {
            let answer = try await api.central.send(method, path, body: nil)
            #expect(answer.status == 405, "\(method) \(path)")
            #expect(answer.headers["allow"] == allow, "\(method) \(path)")
            #expect(answer.headers["content-type"] == "application/problem+json")
            #expect(try answer.string("code") == "method_not_allowed")
        }
        #expect(try await api.central.send("GET", "/v1/nothing-here", body: nil).status == 404)
        #expect(try await api.central.send("DELETE", "/v1/packages/123/nothing", body: nil).status == 404)
        let missing = try await api.central.get("/v1/packages/999999")
        #expect(missing.status == 404)
        #expect(try missing.string("code") == "not_found")
    }
}

@Suite(.databasePerTest) struct HostileInputTests {
    @Test func nulCharactersAndOutOfRangeDatesAreRefusedNotFailed() async throws {
        let api = try await APIHarness.start()
        for path in ["/v1/entities?cursor=%00", "/v1/packages?q=%00", "/v1/orders?entity=%00"] {
            let answer = try await api.central.get(path)
            #expect(answer.status == 422, "\(path)")
        }
        let tooEarly = try await api.central.post(
            "/v1/packages",
            #"{"label":"L","type":"local","campaign_name":"c","campaign_folder":"f","visible_from":"0000-01-01T00:00:00Z"}"#)
        #expect(tooEarly.status == 422)
        let tooLate = try await api.central.post(
            "/v1/packages",
            #"{"label":"L","type":"local","campaign_name":"c","campaign_folder":"f","visible_until":"9999-12-31T23:59:59-00:01"}"#)
        #expect(tooLate.status == 422)
        let longKey = String(repeating: "e\u{301}", count: 128)
        let keyed = try await api.central.post(
            "/v1/entities", #"{"code": "B2", "label": "x"}"#, headers: ["Idempotency-Key": longKey])
        #expect(keyed.status == 422)
        #expect(try await api.central.get("/v1/packages").items().isEmpty)
    }
}

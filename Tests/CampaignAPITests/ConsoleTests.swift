import Foundation
import Postgres
import TestSupport
import Testing

/// An operator's browser, as far as HTTP goes: a session cookie, and the CSRF token of the
/// last page it read.
final class ConsoleVisitor: @unchecked Sendable {
    let port: Int
    /// `/console` or `/portal`, and that surface's cookies.
    let prefix: String
    let sessionCookie: String
    let signInCookie: String
    var session: String?
    var csrf: String?

    init(port: Int, portal: Bool = false) {
        self.port = port
        prefix = portal ? "/portal" : "/console"
        sessionCookie = portal ? "campaignd_portal" : "campaignd_session"
        signInCookie = portal ? "campaignd_portal_signin" : "campaignd_signin"
    }

    var client: HTTPTestClient { HTTPTestClient(port: port) }

    func get(_ path: String) async throws -> HTTPTestResponse {
        let answer = try await client.send("GET", path, body: nil, headers: cookieHeader())
        if let token = Self.csrf(in: answer.text) { csrf = token }
        return answer
    }

    /// A form POST; the page's CSRF token is added unless `withCSRF` is false.
    func post(_ path: String, _ fields: [(String, String)] = [], withCSRF: Bool = true) async throws -> HTTPTestResponse {
        var all = fields
        if withCSRF, let csrf { all.append(("csrf", csrf)) }
        let body = all.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        var headers = cookieHeader()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return try await client.send("POST", path, body: Data(body.utf8), headers: headers)
    }

    /// Signs in through the form; `true` when a session cookie came back.
    @discardableResult
    func signIn(_ name: String, _ password: String) async throws -> HTTPTestResponse {
        let page = try await client.get("\(prefix)/login")
        let formToken = try #require(page.cookie(signInCookie))
        csrf = Self.csrf(in: page.text)
        let body = "csrf=\(csrf ?? "")&name=\(Self.encode(name))&password=\(Self.encode(password))&next="
        let answer = try await client.send(
            "POST", "\(prefix)/login", body: Data(body.utf8),
            headers: ["Content-Type": "application/x-www-form-urlencoded", "Cookie": "\(signInCookie)=\(formToken)"])
        if let value = answer.cookie(sessionCookie), !value.isEmpty { session = value }
        return answer
    }

    private func cookieHeader() -> [String: String] {
        session.map { ["Cookie": "\(sessionCookie)=\($0)"] } ?? [:]
    }

    static func csrf(in html: String) -> String? {
        html.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/).map { String($0.1) }
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? text
    }
}

/// The console over HTTP against a real daemon: sign-in and sessions, the security
/// headers, the list and the dashboard, cancel and reinitialize, roles.
@Suite(.databasePerTest) struct ConsoleTests {
    static let password = "a long enough password"

    /// A daemon with a cheap scrypt, and operators with passwords.
    static func start(_ operators: [(String, String)], arguments: [String] = []) async throws -> APIHarness {
        let api = try await APIHarness.start(["--password-cost", "10"] + arguments)
        for (name, role) in operators {
            if name != "tester", name != "checker" {
                let made = try await api.central.post("/v1/operators", #"{"name": "\#(name)", "role": "\#(role)"}"#)
                #expect(made.status == 201, "\(made.text)")
            }
            let set = try await api.central.put("/v1/operators/\(name)/password", #"{"password": "\#(password)"}"#)
            #expect(set.status == 204, "\(set.text)")
        }
        return api
    }

    @Test func signInSessionsAndSignOut() async throws {
        let api = try await Self.start([("tester", "admin")])
        let browser = ConsoleVisitor(port: api.central.port)
        // Without a session: to the sign-in, coming back here after.
        let away = try await browser.get("/console/packages")
        #expect(away.status == 303 && away.headers["location"] == "/console/login?next=/console/packages")
        #expect(try await browser.get("/console/").headers["location"] == "/console/packages")
        let login = try await browser.client.get("/console/login")
        #expect(login.status == 200 && login.headers["content-type"]?.hasPrefix("text/html") == true)
        let policy = try #require(login.headers["content-security-policy"])
        #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe-inline") && policy.contains("frame-ancestors 'none'"))
        #expect(login.setCookies["campaignd_signin"]?.contains("HttpOnly; SameSite=Lax") == true)

        // A wrong password: the form again, with the error, and no session.
        let wrong = try await browser.signIn("tester", "not the password")
        #expect(wrong.status == 401 && wrong.text.contains("The operator name or the password is wrong."))
        #expect(wrong.cookie("campaignd_session") == nil)
        // An unknown name answers the same.
        let unknown = try await browser.signIn("nobody", "not the password")
        #expect(unknown.status == 401 && unknown.text.contains("The operator name or the password is wrong."))
        // A sign-in form without its token is refused.
        let forged = try await browser.client.send(
            "POST", "/console/login", body: Data("name=tester&password=x".utf8),
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(forged.status == 403)

        let signedIn = try await browser.signIn("tester", Self.password)
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/console/packages")
        #expect(signedIn.setCookies["campaignd_session"]?.contains("HttpOnly; SameSite=Lax") == true)
        let list = try await browser.get("/console/packages")
        #expect(list.status == 200 && list.text.contains("tester (admin)"))
        // Only the cookie's hash is stored.
        let connection = try await api.connect()
        defer { connection.close() }
        let stored = try await connection.query("SELECT secret_hash FROM central.console_sessions")[0].decode(String.self, "secret_hash")
        #expect(stored != browser.session && stored.count == 64)

        // A POST without the session's CSRF token is refused and does nothing.
        #expect(try await browser.post("/console/logout", withCSRF: false).status == 403)
        #expect(try await browser.get("/console/packages").status == 200)
        let out = try await browser.post("/console/logout")
        #expect(out.status == 303 && out.headers["location"] == "/console/login")
        #expect(try await browser.get("/console/packages").status == 303)
    }

    @Test func aDisabledOperatorsSessionEndsAndLocalOperatorsAreSentAway() async throws {
        let api = try await Self.start([("tester", "admin"), ("vera", "viewer")])
        let browser = ConsoleVisitor(port: api.central.port)
        #expect(try await browser.signIn("vera", Self.password).status == 303)
        #expect(try await browser.get("/console/packages").status == 200)
        #expect(try await api.central.patch("/v1/operators/vera", #"{"disabled": true}"#).status == 200)
        #expect(try await browser.get("/console/packages").status == 303)

        _ = try await api.entity("PAR-01")
        _ = try await api.operatorClient("clerk", role: .local, entity: "PAR-01")
        #expect(try await api.central.put("/v1/operators/clerk/password", #"{"password": "\#(Self.password)"}"#).status == 204)
        let local = try await ConsoleVisitor(port: api.central.port).signIn("clerk", Self.password)
        #expect(local.status == 403 && local.text.contains("portal"))
    }

    @Test func theListFiltersByStatusAndShowsLabelsAsText() async throws {
        let api = try await Self.start([("tester", "admin")])
        let pending = try await api.package(
            #"{"label": "<script>alert('x')</script> Pending", "type": "local", "campaign_name": "p", "campaign_folder": "/p"}"#,
            upTo: "pending_approval")
        _ = try await api.package(#"{"label": "Draft one", "type": "local", "campaign_name": "d", "campaign_folder": "/d"}"#, upTo: "being_edited")
        let browser = ConsoleVisitor(port: api.central.port)
        try await browser.signIn("tester", Self.password)
        let all = try await browser.get("/console/packages")
        #expect(all.text.contains("Draft one") && all.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Pending"))
        #expect(!all.text.contains("<script>alert"))
        for link in ["All", "Being edited", "Pending approval", "Approved", "Published", "Late", "Cancelled"] {
            #expect(all.text.contains(">\(link)</a>"), "\(link)")
        }
        let filtered = try await browser.get("/console/packages?status=pending_approval")
        #expect(filtered.text.contains("/console/packages/\(pending)\"") && !filtered.text.contains("Draft one"))
        #expect(filtered.text.contains(#"aria-current="page">Pending approval"#))
        #expect(try await browser.get("/console/packages?status=nonsense").status == 422)
    }

    @Test func cancelNeedsItsCommentThenCancelsAndReinitializeStartsAgain() async throws {
        let api = try await Self.start([("tester", "admin"), ("checker", "approver")])
        let paris = try await api.entity("PAR-01")
        let id = try await api.package(
            #"{"label": "Summer", "type": "collaborative", "campaign_name": "summer", "campaign_folder": "/s"}"#)
        _ = try await paris.post("/v1/packages/\(id)/orders", #"{"label": "kit"}"#)
        let browser = ConsoleVisitor(port: api.central.port)
        try await browser.signIn("checker", Self.password)
        let dashboard = try await browser.get("/console/packages/\(id)")
        #expect(dashboard.status == 200 && dashboard.text.contains("Reinitialize the package to reuse it"))
        #expect(dashboard.text.contains("<td>PAR-01</td>"))

        // Without its Comment: the dashboard again, the error next to the field, nothing done.
        let refused = try await browser.post("/console/packages/\(id)/cancel", [("comment", "  ")])
        #expect(refused.status == 422)
        #expect(refused.text.contains(#"id="comment-error""#) && refused.text.contains(#"aria-invalid="true""#))
        #expect(try await api.central.get("/v1/packages/\(id)").string("status") == "published")
        #expect(try await api.central.get("/v1/jobs").items().isEmpty)
        // Without the CSRF token: refused.
        #expect(try await browser.post("/console/packages/\(id)/cancel", [("comment", "recalled")], withCSRF: false).status == 403)

        let cancelled = try await browser.post("/console/packages/\(id)/cancel", [("comment", "recalled by legal")])
        #expect(cancelled.status == 303 && cancelled.headers["location"] == "/console/packages/\(id)")
        try await waitUntil("the cancel job") { try await browser.get("/console/packages/\(id)").text.contains(#"<dd id="status">Cancelled"#) }
        let after = try await browser.get("/console/packages/\(id)")
        #expect(after.text.contains("<td>cancelled</td>") && after.text.contains("recalled by legal"))

        // Reinitialize: the link, OK, and the package reads Being edited.
        let confirm = try await browser.get("/console/packages/\(id)/reinitialize")
        #expect(confirm.status == 200 && confirm.text.contains(">OK</button>"))
        #expect(try await browser.post("/console/packages/\(id)/reinitialize").status == 303)
        try await waitUntil("the reinitialize job") {
            try await browser.get("/console/packages/\(id)").text.contains(#"<dd id="status">Being edited"#)
        }
        #expect(try await api.central.get("/v1/packages/\(id)").json()["revision"] as? Int == 2)
    }

    @Test func thePackageFormShowsEachProblemNextToItsFieldAndSavesNothingUntilRight() async throws {
        let api = try await Self.start([("tester", "admin"), ("eddy", "editor"), ("vera", "viewer")])
        let editor = ConsoleVisitor(port: api.central.port)
        try await editor.signIn("eddy", Self.password)
        let blank = try await editor.get("/console/packages/new")
        #expect(blank.status == 200 && blank.text.contains(">Save</button>"))
        let wrong: [(String, String)] = [
            ("label", "Spring sale"), ("type", "local"), ("campaign_name", "spring"), ("campaign_folder", ""),
            ("visible_from", "2027-03-10T09:00"), ("visible_until", "2027-03-01T09:00"), ("settings", "{not json"),
            ("approval_mode", "manual"), ("allows_several_orders", "false"), ("reviewers", "nobody"),
        ]
        let refused = try await editor.post("/console/packages/new", wrong)
        #expect(refused.status == 422)
        // Every problem at once, each by its field: the form's own and the API's.
        for field in ["settings", "campaign_folder", "visible_until", "reviewers"] {
            #expect(refused.text.contains(#"id="\#(field)-error""#), "\(field)")
        }
        #expect(try await api.central.get("/v1/packages").items().isEmpty, "nothing saved")
        // The settings right, the other problems remain, the values kept.
        var fixed = wrong.map { $0.0 == "settings" ? ("settings", #"{"format": "A5"}"#) : $0 }
        let again = try await editor.post("/console/packages/new", fixed)
        #expect(again.status == 422)
        for field in ["campaign_folder", "visible_until", "reviewers"] {
            #expect(again.text.contains(#"id="\#(field)-error""#), "\(field)")
            #expect(again.text.contains(#"aria-describedby="\#(field)-help \#(field)-error""#) || field == "campaign_folder", "\(field)")
        }
        #expect(again.text.contains(#"value="Spring sale""#))
        #expect(try await api.central.get("/v1/packages").items().isEmpty, "nothing saved")
        fixed = fixed.map {
            switch $0.0 {
            case "campaign_folder": ("campaign_folder", "/2027/spring")
            case "visible_until": ("visible_until", "2027-04-01T09:00")
            case "reviewers": ("reviewers", "")
            default: $0
            }
        }
        let saved = try await editor.post("/console/packages/new", fixed)
        #expect(saved.status == 303, "\(saved.text.prefix(2000))")
        let id = try #require(saved.headers["location"]?.split(separator: "/").last.map(String.init))
        let stored = try await api.central.get("/v1/packages/\(id)").json()
        #expect(stored["visible_until"] as? String == "2027-04-01T09:00:00.000Z")
        #expect((stored["settings"] as? [String: Any])?["format"] as? String == "A5")

        // Edit: the form comes filled in; Save changes the package.
        let form = try await editor.get("/console/packages/\(id)/edit")
        #expect(form.text.contains(#"value="/2027/spring""#) && form.text.contains("2027-04-01T09:00"))
        var edited = fixed.filter { $0.0 != "type" }
        edited = edited.map { $0.0 == "label" ? ("label", "Spring sale 2027") : $0 }
        #expect(try await editor.post("/console/packages/\(id)/edit", edited).status == 303)
        #expect(try await api.central.get("/v1/packages/\(id)").string("label") == "Spring sale 2027")

        // A viewer gets no form.
        let viewer = ConsoleVisitor(port: api.central.port)
        try await viewer.signIn("vera", Self.password)
        #expect(try await viewer.get("/console/packages/new").status == 403)
        #expect(!(try await viewer.get("/console/packages").text.contains("New package")))
        #expect(try await editor.get("/console/packages").text.contains(#"href="/console/packages/new""#))
        #expect(!(try await viewer.get("/console/packages/\(id)").text.contains(">Edit</a>")))
    }

    @Test func ordersAreListedEditedAndDecided() async throws {
        let api = try await Self.start([("tester", "admin"), ("checker", "approver"), ("vera", "viewer")])
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let id = try await api.package()
        let order = try #require(try await paris.post("/v1/packages/\(id)/orders", #"{"label": "500 flyers", "parameters": {"copies": 500}}"#).string("id"))
        _ = try await lyon.post("/v1/packages/\(id)/orders", #"{"label": "Lyon kit"}"#)
        let admin = ConsoleVisitor(port: api.central.port)
        try await admin.signIn("tester", Self.password)
        let list = try await admin.get("/console/orders?entity=PAR-01")
        #expect(list.status == 200 && list.text.contains("500 flyers") && !list.text.contains("Lyon kit"))
        let page = try await admin.get("/console/orders/\(order)")
        #expect(page.text.contains("Edit &gt; General") && page.text.contains("&quot;copies&quot;:500"))
        // Parameters that are not JSON: refused next to the field, nothing saved.
        let refused = try await admin.post("/console/orders/\(order)/edit", [("label", "600 flyers"), ("comment", ""), ("parameters", "{copies")])
        #expect(refused.status == 422 && refused.text.contains(#"id="parameters-error""#))
        #expect(try await api.central.get("/v1/orders/\(order)").string("label") == "500 flyers")
        let saved = try await admin.post(
            "/console/orders/\(order)/edit", [("label", "600 flyers"), ("comment", "more"), ("parameters", #"{"copies": 600}"#)])
        #expect(saved.status == 303)
        let stored = try await api.central.get("/v1/orders/\(order)").json()
        #expect(stored["label"] as? String == "600 flyers" && (stored["parameters"] as? [String: Any])?["copies"] as? Int == 600)

        // The approver approves; the viewer reads, with no form and no button.
        let approver = ConsoleVisitor(port: api.central.port)
        try await approver.signIn("checker", Self.password)
        _ = try await approver.get("/console/orders/\(order)")
        #expect(try await approver.post("/console/orders/\(order)/decide", [("action", "approve"), ("comment", "go")]).status == 303)
        #expect(try await api.central.get("/v1/orders/\(order)").string("status") == "approved")
        let viewer = ConsoleVisitor(port: api.central.port)
        try await viewer.signIn("vera", Self.password)
        let read = try await viewer.get("/console/orders/\(order)")
        #expect(read.status == 200 && !read.text.contains(">Save</button>") && !read.text.contains(#"value="cancel""#))
        let forbidden = try await viewer.post("/console/orders/\(order)/decide", [("action", "cancel")])
        #expect(forbidden.status == 403)
        #expect(try await api.central.get("/v1/orders/\(order)").string("status") == "approved")
    }

    @Test func failedJobsAreShownAndRetried() async throws {
        let api = try await Self.start([("tester", "admin"), ("vera", "viewer")])
        let connection = try await api.connect()
        defer { connection.close() }
        let job = try await connection.query(
            """
            INSERT INTO central.jobs (kind, status, attempts, max_attempts, last_error, created_by, finished_at)
            VALUES ('noop', 'failed', 8, 8, 'the engine <refused> it', 'tests', now()) RETURNING id
            """)[0].decode(Int.self, "id")
        let viewer = ConsoleVisitor(port: api.central.port)
        try await viewer.signIn("vera", Self.password)
        let seen = try await viewer.get("/console/jobs?status=failed")
        #expect(seen.status == 200 && seen.text.contains("the engine &lt;refused&gt; it") && !seen.text.contains(">Retry</button>"))
        #expect(try await viewer.post("/console/jobs/\(job)/retry").status == 403)
        let admin = ConsoleVisitor(port: api.central.port)
        try await admin.signIn("tester", Self.password)
        #expect(try await admin.get("/console/jobs?status=failed").text.contains(">Retry</button>"))
        #expect(try await admin.post("/console/jobs/\(job)/retry").status == 303)
        try await waitUntil("the retried job") { try await api.central.get("/v1/jobs/\(job)").string("status") == "succeeded" }
    }

    @Test func eventsAreListedAndAnAdminRegistersWatchesAndRedeliversWebhooks() async throws {
        let api = try await Self.start(
            [("tester", "admin"), ("vera", "viewer")], arguments: ["--webhook-allow-private", "--job-poll-interval", "0.2"])
        let receiver = try await WebhookReceiver.start()
        let entity = try await api.entity("CW-1")
        let package = try await api.package(upTo: "pending_approval")
        let viewer = ConsoleVisitor(port: api.central.port)
        try await viewer.signIn("vera", Self.password)
        let events = try await viewer.get("/console/events")
        #expect(events.status == 200 && events.text.contains("Package submitted") && events.text.contains(#"href="/console/packages/\#(package)""#))
        #expect(!events.text.contains(#"href="/console/webhooks""#), "webhooks are an admin's")
        let filtered = try await viewer.get("/console/events?kind=order_placed")
        #expect(filtered.text.contains("No event.") && !filtered.text.contains("<td>Package submitted</td>"), "\(filtered.status)")
        #expect(try await viewer.get("/console/webhooks").status == 403)
        _ = try await viewer.get("/console/events")
        #expect(try await viewer.post("/console/webhooks", [("url", receiver.url("ok"))]).status == 403)

        let admin = ConsoleVisitor(port: api.central.port)
        try await admin.signIn("tester", Self.password)
        _ = try await admin.get("/console/webhooks")
        let refused = try await admin.post("/console/webhooks", [("url", "ftp://example.com/")])
        #expect(refused.status == 422 && refused.text.contains(#"id="url-error""#) && refused.text.contains("ftp://example.com/"))
        let badKind = try await admin.post("/console/webhooks", [("url", receiver.url("ok")), ("kinds", "package_available")])
        #expect(badKind.status == 422 && badKind.text.contains(#"id="kinds-error""#))
        #expect(try await api.central.get("/v1/webhooks").items().isEmpty, "nothing registered by a refused form")
        let created = try await admin.post("/console/webhooks", [("url", receiver.url("ok")), ("kinds", "order_placed")])
        #expect(created.status == 201)
        let secret = try #require(created.text.firstMatch(of: /id="new-secret">(whsec_[A-Za-z0-9+\/=]+)</).map { String($0.1) })
        try await receiver.trust("ok", secret: secret)
        let hook = try #require(try await api.central.get("/v1/webhooks").items().first?["id"] as? String)
        #expect(!(try await admin.get("/console/webhooks")).text.contains(secret), "the secret is shown once")

        // An order: its event reaches the receiver, and the endpoint's page shows the delivery.
        #expect(try await api.approver.post("/v1/packages/\(package)/approve").status == 200)
        #expect(try await api.approver.post("/v1/packages/\(package)/publish").status == 200)
        #expect(try await entity.post("/v1/packages/\(package)/orders", #"{"label": "mine"}"#).status == 201)
        let first = try await receiver.waitFor("ok") { !$0.isEmpty }
        #expect(first.count == 1 && first[0]["signed"] as? Bool == true)
        var page = try await admin.get("/console/webhooks/\(hook)")
        try await waitUntil("the delivery recorded") {
            page = try await admin.get("/console/webhooks/\(hook)")
            return page.text.contains("<td>delivered</td>")
        }
        #expect(page.text.contains("order_placed") && page.text.contains(">Redeliver</button>"))
        let delivery = try #require(page.text.firstMatch(of: /deliveries\/([0-9]+)\/redeliver/).map { String($0.1) })
        #expect(try await admin.post("/console/webhooks/\(hook)/deliveries/\(delivery)/redeliver").status == 303)
        let again = try await receiver.waitFor("ok") { $0.count == 2 }
        #expect(again[1]["id"] as? String == first[0]["id"] as? String, "the same webhook-id")

        _ = try await admin.get("/console/webhooks")
        #expect(try await admin.post("/console/webhooks/\(hook)/delete").status == 303)
        #expect(try await api.central.get("/v1/webhooks").items().isEmpty)
    }

    @Test func anAdminManagesOperatorsEntitiesAndTokensAndAViewerOnlyReads() async throws {
        let api = try await Self.start([("tester", "admin"), ("vera", "viewer")])
        let admin = ConsoleVisitor(port: api.central.port)
        try await admin.signIn("tester", Self.password)
        _ = try await admin.get("/console/entities")
        #expect(try await admin.post("/console/entities", [("code", "PAR-01"), ("label", "Paris")]).status == 303)
        let duplicate = try await admin.post("/console/entities", [("code", "PAR-01"), ("label", "Paris")])
        #expect(duplicate.status == 409 && duplicate.text.contains(#"id="create-error""#))
        #expect(try await admin.post("/console/entities/PAR-01", [("label", "Paris Nord"), ("tags", "north franchise"), ("disabled", "false")]).status == 303)
        let entity = try await api.central.get("/v1/entities/PAR-01").json()
        #expect(entity["label"] as? String == "Paris Nord" && entity["tags"] as? [String] == ["franchise", "north"])
        let minted = try await admin.post("/console/entities/PAR-01/tokens")
        let token = try #require(minted.text.firstMatch(of: /id="new-token">(cdt_[0-9a-f]{80})</).map { String($0.1) })
        #expect(try await HTTPTestClient(port: api.central.port, token: token).get("/v1/notifications").status == 200)

        _ = try await admin.get("/console/operators")
        #expect(try await admin.post("/console/operators", [("name", "marie"), ("role", "editor"), ("entity", ""), ("display_name", "Marie")]).status == 303)
        let bad = try await admin.post("/console/operators", [("name", "clerk"), ("role", "local"), ("entity", "")])
        #expect(bad.status == 422 && bad.text.contains("entity"))
        #expect(try await admin.post("/console/operators/marie", [("role", "approver"), ("disabled", "false")]).status == 303)
        #expect(try await api.central.get("/v1/operators/marie").string("role") == "approver")
        #expect(try await admin.post("/console/operators/marie/password", [("password", "marie's long password")]).status == 303)
        #expect(try await ConsoleVisitor(port: api.central.port).signIn("marie", "marie's long password").status == 303)
        #expect(try await admin.post("/console/operators/marie", [("role", "approver"), ("disabled", "true")]).status == 303)
        #expect(try await api.central.get("/v1/operators/marie").json()["disabled"] as? Bool == true)

        let tokens = try await admin.get("/console/tokens")
        #expect(tokens.status == 200 && !tokens.text.contains(String(token.dropFirst(20))), "no secret on the page")
        let tokenID = try #require(try await api.central.get("/v1/tokens?owner=PAR-01").items().first?["id"] as? String)
        #expect(try await admin.post("/console/tokens/\(tokenID)/revoke").status == 303)
        #expect(try await HTTPTestClient(port: api.central.port, token: token).get("/v1/notifications").status == 401)

        let viewer = ConsoleVisitor(port: api.central.port)
        try await viewer.signIn("vera", Self.password)
        let operators = try await viewer.get("/console/operators")
        #expect(operators.status == 200 && operators.text.contains("marie") && !operators.text.contains(">Create</button>"))
        #expect(try await viewer.get("/console/tokens").status == 403)
        #expect(try await viewer.post("/console/entities/PAR-01", [("label", "Mine"), ("disabled", "true")]).status == 403)
        #expect(try await api.central.get("/v1/entities/PAR-01").string("label") == "Paris Nord")
    }

    @Test func aViewerSeesNoActionAndIsRefusedOne() async throws {
        let api = try await Self.start([("tester", "admin"), ("vera", "viewer")])
        let id = try await api.package(upTo: "pending_approval")
        let browser = ConsoleVisitor(port: api.central.port)
        try await browser.signIn("vera", Self.password)
        let page = try await browser.get("/console/packages/\(id)")
        #expect(page.status == 200 && !page.text.contains(">Approve</button>") && !page.text.contains(">Cancel</button>"))
        #expect(page.text.contains("No action is open to you on this package now."))
        let refused = try await browser.post("/console/packages/\(id)/approve")
        #expect(refused.status == 403 && refused.text.contains("approver"))
        #expect(try await api.central.get("/v1/packages/\(id)").string("status") == "pending_approval")
        // The admin who submitted it sees Approve (its role may), and four eyes refuse it.
        let admin = ConsoleVisitor(port: api.central.port)
        try await admin.signIn("tester", Self.password)
        #expect(try await admin.get("/console/packages/\(id)").text.contains(">Approve</button>"))
        let own = try await admin.post("/console/packages/\(id)/approve")
        #expect(own.status == 403 && own.text.contains("may not decide on it"))
    }

    @Test func theDashboardShowsTheAudienceAndParticipationAndTheListsExport() async throws {
        let api = try await Self.start([("tester", "admin"), ("vera", "viewer")])
        let north = try await api.entity("N-1")
        _ = try await api.entity("N-2")
        _ = try await api.entity("S-1")
        for code in ["N-1", "N-2"] { _ = try await api.central.patch("/v1/entities/\(code)", #"{"tags": ["north"]}"#) }
        let id = try await api.package(
            #"{"label": "North kit", "type": "local", "campaign_name": "kit", "campaign_folder": "/k", "audience_tags": ["north"]}"#)
        let order = try #require(try await north.post("/v1/packages/\(id)/orders", #"{"label": "=SUM(A1)"}"#).string("id"))
        let viewer = ConsoleVisitor(port: api.central.port)
        try await viewer.signIn("vera", Self.password)
        let page = try await viewer.get("/console/packages/\(id)")
        #expect(page.text.contains("2 entities: tagged north (frozen at publication)"), "\(page.text)")
        #expect(page.text.contains("No response (1)") && page.text.contains("Pending approval (1)"))
        #expect(page.text.contains(#"<a href="/console/orders/\#(order)">Order \#(order)</a>"#))
        #expect(!page.text.contains(">Duplicate</button>"), "a viewer may not duplicate")
        let silent = try await viewer.get("/console/packages/\(id)?participation=no_response")
        #expect(silent.text.contains("<td>N-2</td><td>No response</td>") && !silent.text.contains("<td>N-1</td><td>Pending approval</td>"))

        let participation = try await viewer.get("/console/packages/\(id)/participation.csv")
        #expect(participation.status == 200 && participation.headers["content-type"]?.hasPrefix("text/csv") == true)
        #expect(participation.text == "entity,status,order_id\r\nN-1,pending_approval,\(order)\r\nN-2,no_response,\r\n")
        let orders = try await viewer.get("/console/orders.csv?package=\(id)")
        #expect(orders.text.contains(",N-1,'=SUM(A1),pending_approval,"))
        let packages = try await viewer.get("/console/packages.csv?status=published")
        #expect(packages.text.contains("North kit") && packages.text.hasPrefix("id,label,"))
        #expect(try await viewer.get("/console/packages/\(id)/journal.csv").text.hasPrefix("id,at,actor,action,"))
        #expect(try await viewer.get("/console/packages.csv?status=nonsense").status == 422)
        #expect(try await HTTPTestClient(port: api.central.port).get("/console/orders.csv").status == 303, "no session: sign in")

        // The admin duplicates it and lands on the copy's form.
        let admin = ConsoleVisitor(port: api.central.port)
        try await admin.signIn("tester", Self.password)
        #expect(try await admin.get("/console/packages/\(id)").text.contains(">Duplicate</button>"))
        let copied = try await admin.post("/console/packages/\(id)/duplicate")
        #expect(copied.status == 303)
        let location = try #require(copied.headers["location"])
        #expect(location.hasSuffix("/edit") && location != "/console/packages/\(id)/edit")
        let form = try await admin.get(location)
        #expect(form.text.contains(#"value="North kit (copy)""#) && form.text.contains(#"id="audience_tags" name="audience_tags" value="north""#))
    }

    @Test func ordersShownAreApprovedInBulkAndTheJobPageSaysWhatWasSkipped() async throws {
        let api = try await Self.start([("tester", "admin"), ("checker", "approver"), ("vera", "viewer")])
        var orders: [String] = []
        let id = try await api.package()
        for code in ["B-1", "B-2", "B-3"] {
            let entity = try await api.entity(code)
            orders.append(try #require(try await entity.post("/v1/packages/\(id)/orders", #"{"label": "kit"}"#).string("id")))
        }
        #expect(try await api.approver.post("/v1/orders/\(orders[2])/reject").status == 200)

        let viewer = ConsoleVisitor(port: api.central.port)
        try await viewer.signIn("vera", Self.password)
        #expect(!(try await viewer.get("/console/orders").text.contains(#"id="bulk""#)))
        #expect(try await viewer.post("/console/orders/bulk", [("action", "approve"), ("ids", orders[0])]).status == 403)

        let approver = ConsoleVisitor(port: api.central.port)
        try await approver.signIn("checker", Self.password)
        let list = try await approver.get("/console/orders?package=\(id)")
        #expect(list.text.contains(#"id="bulk""#) && list.text.contains(#"aria-label="Choose order \#(orders[0])""#))
        // Nothing chosen: said plainly, nothing done.
        let none = try await approver.post("/console/orders/bulk", [("action", "approve"), ("scope", "checked")])
        #expect(none.status == 422 && none.text.contains("Choose orders first"))
        // Every order shown: two are approved, the rejected one is skipped with why.
        let shown = orders.map { ("shown", $0) }
        let accepted = try await approver.post("/console/orders/bulk", [("action", "approve"), ("scope", "shown"), ("comment", "ok")] + shown)
        #expect(accepted.status == 303)
        let jobPath = try #require(accepted.headers["location"])
        #expect(jobPath.hasPrefix("/console/jobs/"))
        var job = try await approver.get(jobPath)
        let deadline = ContinuousClock.now + .seconds(30)
        while !job.text.contains(#"id="changed""#), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            job = try await approver.get(jobPath)
        }
        #expect(job.text.contains(#"<p id="changed">2 orders changed.</p>"#), "\(job.text)")
        #expect(job.text.contains("a rejected order cannot be approved"))
        #expect(try await api.central.get("/v1/orders/\(orders[0])").string("status") == "approved")
        #expect(try await api.central.get("/v1/orders/\(orders[1])").string("decision_comment") == "ok")
    }
}

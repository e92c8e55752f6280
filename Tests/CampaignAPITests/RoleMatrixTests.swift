import Domain
import Foundation
import Postgres
import TestSupport
import Testing

/// Every route of the role table × every kind of caller, through a real daemon: what the
/// table allows is not refused for the role, what it refuses is a 403 `forbidden` naming
/// the role needed, and a refused request leaves every row of the database as it was.
@Suite(.databasePerTest) struct RoleMatrixTests {
    struct Caller {
        let name: String
        let role: OperatorRole
        let client: HTTPTestClient
        /// The operator's own name (`nil` for an entity's token).
        let operatorName: String?
    }

    @Test func everyRouteAnswersEveryRoleAsTheTableSays() async throws {
        // No job workers: nothing changes the database behind the requests' backs.
        let api = try await APIHarness.start(["--workers", "0"])
        let paris = try await api.entity("PAR-01")
        let lyon = try await api.entity("LYO-01")
        let callers = [
            Caller(name: "viewer", role: .viewer, client: try await api.operatorClient("vera", role: .viewer), operatorName: "vera"),
            Caller(name: "editor", role: .editor, client: try await api.operatorClient("eddy", role: .editor), operatorName: "eddy"),
            Caller(name: "approver", role: .approver, client: api.approver, operatorName: "checker"),
            Caller(name: "admin", role: .admin, client: api.central, operatorName: "tester"),
            Caller(
                name: "local operator", role: .local,
                client: try await api.operatorClient("par-clerk", role: .local, entity: "PAR-01"), operatorName: "par-clerk"),
            Caller(name: "entity token", role: .local, client: paris, operatorName: nil),
        ]
        // Something behind every path parameter.
        let collaborative = try await api.package(
            #"{"label": "C", "type": "collaborative", "campaign_name": "c", "campaign_folder": "/c"}"#)
        let lyonOrder = try #require(try await lyon.post("/v1/packages/\(collaborative)/orders", #"{"label": "l"}"#).string("id"))
        let process = try #require(
            try await api.central.post("/v1/packages/\(collaborative)/processes", #"{"kind": "workflow", "name": "w"}"#).string("id"))
        let job = try #require(
            try await api.central.post("/v1/packages/\(collaborative)/cancel", #"{"comment": "matrix"}"#).string("job.id"))
        _ = try await api.operatorClient("victim", role: .viewer)
        let spare = try await api.central.get("/v1/tokens?owner_kind=entity&owner=LYO-01").items().compactMap { $0["id"] as? String }
        let spareToken = try #require(spare.first)

        func path(_ template: String, for caller: Caller) -> String {
            var path = template
            let id =
                if template.hasPrefix("/v1/packages") { collaborative }
                // The other entity's order: a local caller gets 404, never another's row.
                else if template.hasPrefix("/v1/orders") { lyonOrder }
                else if template.hasPrefix("/v1/jobs") { job }
                else if template.hasPrefix("/v1/processes") { process }
                else { spareToken }
            path = path.replacingOccurrences(of: "{id}", with: id)
            path = path.replacingOccurrences(of: "{code}", with: "PAR-01")
            // A password is asked about the caller's own account; the rest about someone else.
            let name = template.hasSuffix("/password") ? (caller.operatorName ?? "victim") : "victim"
            return path.replacingOccurrences(of: "{name}", with: name)
        }

        let connection = try await api.connect()
        defer { connection.close() }
        let fingerprint = try await Self.fingerprintQuery(connection)
        var refusedCount = 0
        var allowedCount = 0
        for (route, requirement) in AccessRules.table.sorted(by: { $0.key.description < $1.key.description }) {
            if requirement == .anyone { continue }
            for caller in callers {
                let target = path(route.path, for: caller)
                var refusal = AccessRules.check(route, role: caller.role)
                // An entity's token is no operator: it has no password of its own to change.
                if caller.operatorName == nil, route.path.hasSuffix("/password") { refusal = .needsRole(.admin) }
                let before = refusal == nil ? "" : try await connection.query(PostgresQuery(unsafeSQL: fingerprint))[0].decode(String.self, "f")
                let answer = try await caller.client.send(
                    route.method, target, body: route.method == "GET" || route.method == "DELETE" ? nil : Data("{}".utf8))
                let what = "\(caller.name) on \(route) (\(target)): \(answer.status) \(answer.text.prefix(200))"
                #expect(answer.status != 401, "\(what)")
                if let refusal {
                    refusedCount += 1
                    #expect(answer.status == 403, "\(what)")
                    #expect(try answer.string("code") == "forbidden", "\(what)")
                    #expect(try answer.string("required_role") == refusal.requiredRole?.rawValue, "\(what)")
                    let after = try await connection.query(PostgresQuery(unsafeSQL: fingerprint))[0].decode(String.self, "f")
                    #expect(before == after, "a refused request changed the database: \(what)")
                } else {
                    allowedCount += 1
                    #expect(answer.status != 403, "\(what)")
                }
            }
        }
        // Every kind of answer was seen: the loop is not vacuous.
        #expect(refusedCount > 80 && allowedCount > 80, "refused \(refusedCount), allowed \(allowedCount)")
    }

    /// One md5 over every row of every table of `central` and `local` (token use times
    /// aside: they are written beside the requests).
    static func fingerprintQuery(_ connection: PostgresConnection) async throws -> String {
        let tables = try await connection.query(
            """
            SELECT table_schema || '.' || table_name AS name FROM information_schema.tables
            WHERE table_schema IN ('central', 'local') AND table_type = 'BASE TABLE' ORDER BY 1
            """
        ).map { try $0.decode(String.self, "name") }
        #expect(tables.count > 10)
        let parts = tables.map { table in
            let row = table == "central.api_tokens" ? "(t.id, t.revoked_at, t.operator_id, t.entity_id)::text" : "t::text"
            return "SELECT '\(table)' AS tab, coalesce(string_agg(md5(\(row)), ',' ORDER BY md5(\(row))), '') AS rows FROM \(table) t"
        }
        return "SELECT md5(string_agg(tab || ':' || rows, ';' ORDER BY tab)) AS f FROM (\(parts.joined(separator: " UNION ALL "))) s"
    }
}

import Domain
import Foundation
import Testing

/// The role table against `openapi.yaml`, and for every route × role.
@Suite struct AccessRulesTests {
    /// Every `METHOD /path` of `openapi.yaml` (a line-based read of its `paths:` block).
    static let documentedRoutes: Set<APIRoute> = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../openapi.yaml")
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return [] }
        var routes: Set<APIRoute> = []
        var path: String?
        var inPaths = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("paths:") { inPaths = true; continue }
            if inPaths, !line.isEmpty, !line.hasPrefix(" ") { break }
            if line.hasPrefix("  /"), line.hasSuffix(":") {
                path = String(line.dropFirst(2).dropLast())
            } else if let path, let match = line.wholeMatch(of: /\ {4}(get|post|put|patch|delete):/) {
                routes.insert(APIRoute(String(match.1), path))
            }
        }
        return routes
    }()

    @Test func everyDocumentedRouteHasARuleAndNoRuleIsOrphan() {
        #expect(Self.documentedRoutes.count > 25)
        let missing = Self.documentedRoutes.subtracting(AccessRules.table.keys).map(\.description).sorted()
        let orphans = Set(AccessRules.table.keys).subtracting(Self.documentedRoutes).map(\.description).sorted()
        #expect(missing.isEmpty, "routes without a rule: \(missing)")
        #expect(orphans.isEmpty, "rules for no documented route: \(orphans)")
    }

    /// Every route × role: what each role may do follows from API.md's definitions.
    @Test(arguments: OperatorRole.allCases)
    func eachRoleMayDoExactlyWhatItsDefinitionSays(role: OperatorRole) {
        for (route, requirement) in AccessRules.table {
            let allowed = AccessRules.check(route, role: role) == nil
            let expected: Bool =
                switch (requirement, role) {
                case (.anyone, _), (.operatorItselfOr, _): true
                case (.local, .local): true
                case (.local, _): false
                case (.central, .local): false
                case (.central(let minimum), _), (.localOrCentral(let minimum), _), (.centralOnEntityRow(let minimum), _):
                    role == .local || role == .admin || minimum == .viewer || minimum == role
                }
            #expect(allowed == expected, "\(role) on \(route)")
        }
    }

    @Test func theRolesSeparateReadingEditingApprovingAndAdministering() {
        func may(_ role: OperatorRole, _ method: String, _ path: String) -> Bool {
            AccessRules.check(APIRoute(method, path), role: role) == nil
        }
        // A viewer reads and changes nothing.
        let central = AccessRules.table.filter {
            if case .central = $0.value { return true }
            if case .localOrCentral = $0.value { return true }
            if case .centralOnEntityRow = $0.value { return true }
            return false
        }
        // A viewer reads everything central (tokens and webhooks, with their secrets' use,
        // are an admin's) and changes nothing.
        for route in central.keys {
            let adminsOnly = route.path == "/v1/tokens" || route.path.hasPrefix("/v1/webhooks")
            #expect(may(.viewer, route.method, route.path) == (route.method == "GET" && !adminsOnly), "\(route)")
        }
        #expect(may(.admin, "POST", "/v1/webhooks") && !may(.approver, "POST", "/v1/webhooks"))
        #expect(may(.viewer, "GET", "/v1/events"))
        #expect(may(.editor, "POST", "/v1/packages") && may(.editor, "POST", "/v1/packages/{id}/submit"))
        #expect(!may(.editor, "POST", "/v1/packages/{id}/approve") && !may(.editor, "POST", "/v1/packages/{id}/cancel"))
        #expect(may(.approver, "POST", "/v1/packages/{id}/approve") && may(.approver, "POST", "/v1/jobs/{id}/retry"))
        #expect(!may(.approver, "POST", "/v1/packages") && !may(.approver, "PATCH", "/v1/packages/{id}"))
        #expect(!may(.approver, "POST", "/v1/entities") && may(.admin, "POST", "/v1/entities"))
        #expect(AccessRules.check(APIRoute("POST", "/v1/packages/{id}/approve"), role: .editor) == .needsRole(.approver))
        // A local operator acts as its entity, never as the central entity.
        #expect(may(.local, "GET", "/v1/notifications") && !may(.admin, "GET", "/v1/notifications"))
        #expect(AccessRules.check(APIRoute("GET", "/v1/packages"), role: .local) == .centralOnly(.viewer))
        #expect(AccessRules.check(APIRoute("DELETE", "/v1/packages/{id}"), role: .admin) == .unknownRoute)
        // Operators, entities and tokens are an admin's; anyone reads the operators' list
        // (editors pick reviewers from it), and everyone may change its own password.
        for role in [OperatorRole.viewer, .editor, .approver] {
            #expect(AccessRules.check(APIRoute("POST", "/v1/operators"), role: role) == .needsRole(.admin))
            #expect(AccessRules.check(APIRoute("DELETE", "/v1/tokens/{id}"), role: role) == .needsRole(.admin))
            #expect(AccessRules.check(APIRoute("PATCH", "/v1/entities/{code}"), role: role) == .needsRole(.admin))
            #expect(may(role, "GET", "/v1/operators"))
        }
        #expect(OperatorRole.allCases.allSatisfy { may($0, "PUT", "/v1/operators/{name}/password") })
        #expect(AccessRules.Refusal.localOnly.requiredRole == .local)
        #expect(AccessRules.Refusal.centralOnly(.approver).requiredRole == .approver)
    }
}

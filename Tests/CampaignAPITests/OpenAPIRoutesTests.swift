import CampaignAPI
import Foundation
import Logging
import Postgres
import Testing

/// `openapi.yaml` at the repository root documents exactly the routes the server registers
/// (the web pages under `/console` aside: HTML for people, not the JSON contract).
@Suite struct OpenAPIRoutesTests {
    @Test func documentedPathsAreTheRegisteredRoutes() throws {
        // The pool connects lazily: building the router never reaches a database.
        let pool = PostgresPool(
            configuration: try PostgresConfiguration("host=/nonexistent"), logger: Logger(label: "openapi-routes-test"))
        defer { pool.close() }
        let router = CampaignAPI.makeRouter(pool: pool, migrations: [], renderMetrics: { [] })
        let registered = Set(
            router.routes.filter { !$0.path.description.hasPrefix("/console") && !$0.path.description.hasPrefix("/portal") }
                .map { "\($0.method.rawValue) \(Self.canonical($0.path.description))" })
        #expect(router.routes.contains { $0.path.description.hasPrefix("/console") }, "the console is registered")
        #expect(router.routes.contains { $0.path.description.hasPrefix("/portal") }, "the portal is registered")

        let documented = Self.documentedRoutes(in: try String(contentsOf: Self.specification, encoding: .utf8))

        let undocumented = registered.subtracting(documented).sorted()
        let unregistered = documented.subtracting(registered).sorted()
        #expect(
            registered == documented,
            """
            registered but missing from openapi.yaml: \(undocumented)
            in openapi.yaml but not registered: \(unregistered)
            """)
    }

    @Test func readerFindsPathsAndMethodsOnly() {
        let yaml = """
            openapi: 3.1.0
            paths:
              # a comment
              /healthz:
                get:
                  responses: {}
              "/v1/things/{id}":
                parameters: []
                patch:
                  description: |
                    post: not a method key
                delete:
            components:
              schemas:
                get:
            """
        #expect(Self.documentedRoutes(in: yaml) == ["GET /healthz", "PATCH /v1/things/{id}", "DELETE /v1/things/{id}"])
    }

    /// Tests/CampaignAPITests/../../openapi.yaml
    static let specification = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("openapi.yaml")

    static let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    /// `"METHOD /path"` for every operation of the `paths:` section: path keys are indented
    /// by 2 spaces, method keys by 4 (a line-based reader, enough for this file's layout).
    static func documentedRoutes(in yaml: String) -> Set<String> {
        var routes: Set<String> = []
        var inPaths = false
        var path: String?
        for rawLine in yaml.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let text = line.drop { $0 == " " }
            if text.isEmpty || text.hasPrefix("#") { continue }
            switch line.count - text.count {
            case 0:
                inPaths = key(of: text) == "paths"
                path = nil
            case 2 where inPaths:
                path = key(of: text).map(canonical)
            case 4 where inPaths:
                if let path, let method = key(of: text)?.lowercased(), methods.contains(method) {
                    routes.insert("\(method.uppercased()) \(path)")
                }
            default:
                continue
            }
        }
        return routes
    }

    /// The key of a `key:` or `key: value` line, without quotes.
    static func key(of text: Substring) -> String? {
        if let quote = text.first, quote == "\"" || quote == "'" {
            let rest = text.dropFirst()
            guard let end = rest.firstIndex(of: quote) else { return nil }
            return String(rest[..<end])
        }
        guard let colon = text.firstIndex(of: ":") else { return nil }
        return String(text[..<colon]).trimmingCharacters(in: .whitespaces)
    }

    /// Path parameters written `{id}` (OpenAPI) or `:id` (Hummingbird route) as `{id}`.
    static func canonical(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
            .joined(separator: "/")
    }
}

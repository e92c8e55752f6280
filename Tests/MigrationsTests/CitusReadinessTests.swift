import Foundation
import Postgres
import TestSupport
import Testing

/// The schema is ready for Citus (SPEC.md, "Scale"; deploy/CITUS.md): `deploy/citus-check.sql`
/// over the migrated catalog, and the runbook's statements against the same catalog.
@Suite(.databasePerTest) struct CitusReadinessTests {
    static let root = TestCluster.repositoryRoot
    static func check() throws -> PostgresQuery {
        PostgresQuery(unsafeSQL: try String(contentsOfFile: root + "/deploy/citus-check.sql", encoding: .utf8))
    }
    static func runbook() throws -> String { try String(contentsOfFile: root + "/deploy/CITUS.md", encoding: .utf8) }

    typealias Obstacle = (table: String, constraint: String?, problem: String)

    static func obstacles(_ connection: PostgresConnection) async throws -> [Obstacle] {
        try await connection.query(try check()).map {
            (try $0.decode(String.self, "table_name"), try $0.decode(String?.self, "constraint_name"),
             try $0.decode(String.self, "problem"))
        }
    }

    @Test func theSchemaHasNoObstacleButTheTwoTheRunbookRemoves() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let found = try await Self.obstacles(connection)
        let unknown = found.filter { !$0.problem.hasPrefix("[e7]") && !$0.problem.hasPrefix("[e8]") }
        #expect(unknown.isEmpty, "\(unknown)")
        // Each policy with a subquery is rewritten by the runbook, each trigger named in it.
        let runbook = try Self.runbook()
        for obstacle in found where obstacle.problem.hasPrefix("[e7]") {
            #expect(
                runbook.contains("ALTER POLICY \(obstacle.constraint ?? "?") ON \(obstacle.table) USING ("),
                "the runbook rewrites \(obstacle.constraint ?? "?") on \(obstacle.table)")
        }
        for obstacle in found where obstacle.problem.hasPrefix("[e8]") {
            #expect(runbook.contains("`\(obstacle.constraint ?? "?")`") && runbook.contains("citus.enable_unsafe_triggers = on"))
        }
        #expect(found.contains { $0.problem.hasPrefix("[e7]") }, "the check sees the policies' subqueries")
    }

    @Test func theCheckFindsWhatCitusWouldRefuse() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        // Tables Citus would refuse, made and checked in a transaction that is rolled back.
        do {
            try await connection.withTransaction { connection in
                try await connection.execute(unsafeSQL: """
                    CREATE TABLE local.probe_keyed (id bigint PRIMARY KEY, entity_id bigint NOT NULL REFERENCES central.entities (id));
                    CREATE TABLE local.probe_unique (entity_id bigint NOT NULL, code text, UNIQUE (code, entity_id), PRIMARY KEY (entity_id, code));
                    CREATE TABLE local.probe_bare (code text PRIMARY KEY);
                    CREATE TABLE central.probe_back (id bigint PRIMARY KEY, entity_id bigint, order_id bigint,
                        FOREIGN KEY (entity_id, order_id) REFERENCES local.orders (entity_id, id));
                    """)
                let found = try await Self.obstacles(connection)
                func flagged(_ table: String, _ rule: String) -> Bool {
                    found.contains { $0.table == table && $0.problem.hasPrefix(rule) }
                }
                #expect(flagged("local.probe_keyed", "[b]"), "a primary key not led by entity_id: \(found)")
                #expect(flagged("local.probe_unique", "[b]"), "a unique key not led by entity_id")
                #expect(!found.contains { $0.table == "local.probe_unique" && $0.constraint == "probe_unique_pkey" })
                #expect(flagged("local.probe_bare", "[a]"), "a local table without entity_id")
                #expect(flagged("central.probe_back", "[d]"), "a reference table referring to a distributed one")
                throw Rollback()
            }
        } catch is Rollback {}
        #expect(try await Self.obstacles(connection).allSatisfy { !$0.table.contains("probe") }, "rolled back")
    }

    @Test func theRunbookNamesEveryTableOnceAfterTheTablesItRefersTo() async throws {
        let connection = try await TestDatabase.get().connect()
        defer { connection.close() }
        let runbook = try Self.runbook()
        let statements = runbook.matches(of: /create_(reference|distributed)_table\('([a-z_]+\.[a-z_]+)'(, 'entity_id')?/).map {
            (kind: String($0.1), table: String($0.2), byEntity: $0.3 != nil)
        }
        let tables = try await connection.query(
            """
            SELECT format('%s.%s', n.nspname, c.relname) AS name, n.nspname AS schema FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname IN ('central', 'local') AND c.relkind IN ('r', 'p') AND NOT c.relispartition
            """
        ).map { (try $0.decode(String.self, "name"), try $0.decode(String.self, "schema")) }
        #expect(statements.map(\.table).sorted() == tables.map(\.0).sorted(), "every table, each once")
        for (name, schema) in tables {
            let statement = statements.first { $0.table == name }
            #expect(statement?.kind == (schema == "central" ? "reference" : "distributed"), "\(name)")
            #expect(schema == "central" || statement?.byEntity == true, "\(name) is distributed by entity_id")
        }
        // Referenced before referencing; the one foreign key the runbook drops and adds back is the exception.
        let position = Dictionary(uniqueKeysWithValues: statements.enumerated().map { ($0.element.table, $0.offset) })
        let keys = try await connection.query(
            """
            SELECT con.conname, format('%s.%s', sn.nspname, s.relname) AS source, format('%s.%s', tn.nspname, t.relname) AS target
            FROM pg_constraint con
            JOIN pg_class s ON s.oid = con.conrelid JOIN pg_namespace sn ON sn.oid = s.relnamespace
            JOIN pg_class t ON t.oid = con.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
            WHERE con.contype = 'f' AND sn.nspname IN ('central', 'local') AND con.conrelid <> con.confrelid
            """)
        for key in keys {
            let name = try key.decode(String.self, "conname")
            let source = try key.decode(String.self, "source")
            let target = try key.decode(String.self, "target")
            guard let from = position[source], let to = position[target] else {
                Issue.record("\(name): \(source) -> \(target) is not in the runbook")
                continue
            }
            let dropped = runbook.contains("DROP CONSTRAINT \(name);") && runbook.contains("ADD CONSTRAINT \(name)")
            #expect(to < from || dropped, "\(name): \(target) must come before \(source)")
        }
    }

    struct Rollback: Error {}
}

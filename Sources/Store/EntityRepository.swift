import Domain
import Foundation
import Postgres

/// Local entities (`central.entities`).
public struct EntityRepository: Sendable {
    let connection: PostgresConnection

    public func create(code: String, label: String, by actor: Principal) async throws -> LocalEntity {
        var problems: [FieldProblem] = []
        if code.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9_.-]{0,63}/) == nil {
            problems.append(FieldProblem(field: "code", message: "must be 1 to 64 letters, digits, '_', '.' or '-'"))
        }
        problems += PackageRules.checkLabel(label, field: "label")
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
        let rows = try await connection.query(
            """
            INSERT INTO central.entities (code, label, created_by) VALUES (\(code), \(label), \(actor.actorName))
            ON CONFLICT (code) DO NOTHING
            RETURNING id, code, label, created_at
            """)
        guard let row = rows.first else {
            throw StoreError.conflict(code: "conflict", message: "an entity with code \(code) already exists")
        }
        let entity = try Self.decode(row)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "create", subject: "entity", subjectID: entity.id, entityID: entity.id,
            after: .object(["code": .string(code), "label": .string(label)]))
        return entity
    }

    /// Entities in code order, after `cursor` (a code).
    public func list(after cursor: String?, limit: Int) async throws -> [LocalEntity] {
        let rows = try await connection.query(
            """
            SELECT id, code, label, created_at FROM central.entities
            WHERE \(cursor) IS NULL OR code > \(cursor)
            ORDER BY code LIMIT \(limit)
            """)
        return try rows.map(Self.decode)
    }

    public func find(code: String) async throws -> LocalEntity? {
        try await connection.query("SELECT id, code, label, created_at FROM central.entities WHERE code = \(code)")
            .first.map(Self.decode)
    }

    /// The ids of `codes`; a validation failure naming the unknown codes when some do not exist.
    public func ids(of codes: [String], field: String) async throws -> [Int] {
        let rows = try await connection.query(
            "SELECT id, code FROM central.entities WHERE code = ANY(\(codes))")
        let known = try Dictionary(uniqueKeysWithValues: rows.map { (try $0.decode(String.self, "code"), try $0.decode(Int.self, "id")) })
        let unknown = Set(codes).subtracting(known.keys).sorted()
        guard unknown.isEmpty else {
            throw StoreError.validation(
                ValidationFailure(problems: [FieldProblem(field: field, message: "unknown entities: \(unknown.joined(separator: ", "))")]))
        }
        return codes.compactMap { known[$0] }
    }

    static func decode(_ row: PostgresRow) throws -> LocalEntity {
        LocalEntity(
            id: try row.decode(Int.self, "id"), code: try row.decode(String.self, "code"),
            label: try row.decode(String.self, "label"), createdAt: try row.decode(Date.self, "created_at"))
    }
}

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
            RETURNING \(unsafeSQL: Self.columns)
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
            SELECT \(unsafeSQL: Self.columns) FROM central.entities
            WHERE \(cursor) IS NULL OR code > \(cursor)
            ORDER BY code LIMIT \(limit)
            """)
        return try rows.map(Self.decode)
    }

    public func find(code: String, lock: Bool = false) async throws -> LocalEntity? {
        try await connection.query(
            "SELECT \(unsafeSQL: Self.columns) FROM central.entities WHERE code = \(code) \(unsafeSQL: lock ? "FOR UPDATE" : "")"
        ).first.map(Self.decode)
    }

    /// Changes an entity's label, tags or `disabled`. Disabling it ends its access at
    /// once: its tokens and local operators answer 401 on every daemon (a NOTIFY on
    /// ``AccessChanges/channel``), its SQL polling roles cannot log in and read nothing,
    /// and it cannot order. Enabling it again gives all of it back.
    public func update(
        code: String, label: String?, tags: [String]?, disabled: Bool?, by actor: Principal
    ) async throws -> LocalEntity {
        var problems = label.map { PackageRules.checkLabel($0, field: "label") } ?? []
        var normalizedTags: [String]?
        if let tags {
            switch OperatorRules.normalizedTags(tags) {
            case .success(let value): normalizedTags = value
            case .failure(let failure): problems += failure.problems
            }
        }
        try ValidationFailure.throwIfAny(problems)
        guard let before = try await find(code: code, lock: true) else { throw StoreError.notFound("entity \(code)") }
        let newDisabled = disabled ?? before.disabled
        try await connection.query(
            """
            UPDATE central.entities SET label = \(label ?? before.label), tags = \(normalizedTags ?? before.tags),
                disabled_at = CASE WHEN \(newDisabled) THEN coalesce(disabled_at, now()) END, updated_at = now()
            WHERE id = \(before.id)
            """)
        guard let after = try await find(code: code) else { throw StoreError.notFound("entity \(code)") }
        if newDisabled != before.disabled {
            // Through a function of the migrations: the daemon's role may not alter roles.
            try await connection.query("SELECT central.set_entity_sql_login(\(before.id), \(!newDisabled))")
            try await AccessChanges.announce(on: connection)
        }
        if after != before {
            try await Journal(connection: connection).append(
                actor: actor.actorName, action: "edit", subject: "entity", subjectID: before.id, entityID: before.id,
                before: Self.snapshot(before), after: Self.snapshot(after))
        }
        return after
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

    static let columns = "id, code, label, created_at, tags, disabled_at IS NOT NULL AS disabled"

    static func decode(_ row: PostgresRow) throws -> LocalEntity {
        LocalEntity(
            id: try row.decode(Int.self, "id"), code: try row.decode(String.self, "code"),
            label: try row.decode(String.self, "label"), createdAt: try row.decode(Date.self, "created_at"),
            tags: try row.decode([String].self, "tags"), disabled: try row.decode(Bool.self, "disabled"))
    }

    static func snapshot(_ entity: LocalEntity) -> JSONValue {
        .object([
            "label": .string(entity.label), "tags": .array(entity.tags.map(JSONValue.string)),
            "disabled": .bool(entity.disabled),
        ])
    }
}

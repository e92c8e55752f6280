import Domain
import Foundation
import Postgres

/// Central and local operators (`central.operators`): roles, passwords, retirement.
///
/// A change that can end someone's access (a role, `disabled`) sends a NOTIFY on
/// ``AccessChanges/channel`` in the same transaction: every daemon drops the principals
/// it remembers when it commits.
public struct OperatorRepository: Sendable {
    let connection: PostgresConnection

    static let columns = """
        o.id, o.name, o.role, e.code AS entity_code, o.display_name, o.disabled_at IS NOT NULL AS disabled,
        o.password_hash IS NOT NULL AS has_password, o.created_at, o.updated_at
        """
    static let from = "central.operators o LEFT JOIN central.entities e ON e.id = o.entity_id"

    public func create(
        name: String, role: OperatorRole, entityCode: String?, displayName: String?, by actor: Principal
    ) async throws -> OperatorAccount {
        var problems = OperatorRules.checkName(name)
        problems += OperatorRules.checkEntity(entityCode, role: role)
        if let displayName { problems += PackageRules.checkLabel(displayName, field: "display_name") }
        var entityID: Int?
        if let entityCode, problems.isEmpty {
            entityID = try await EntityRepository(connection: connection).ids(of: [entityCode], field: "entity").first
        }
        try ValidationFailure.throwIfAny(problems)
        let rows = try await connection.query(
            """
            INSERT INTO central.operators (name, role, entity_id, display_name)
            VALUES (\(name), \(role.rawValue), \(entityID), \(displayName))
            ON CONFLICT (name) DO NOTHING
            RETURNING id
            """)
        guard let id = try rows.first?.decode(Int.self, "id") else {
            throw StoreError.conflict(code: "conflict", message: "an operator named \(name) already exists")
        }
        let account = try await require(name)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "create", subject: "operator", subjectID: id, entityID: entityID,
            after: Self.snapshot(account))
        return account
    }

    /// Operators in name order, after `cursor` (a name).
    public func list(after cursor: String?, limit: Int) async throws -> [OperatorAccount] {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM \(unsafeSQL: Self.from)
            WHERE \(cursor) IS NULL OR o.name > \(cursor)
            ORDER BY o.name LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    public func find(_ name: String, lock: Bool = false) async throws -> OperatorAccount? {
        try await connection.query(
            """
            SELECT \(unsafeSQL: Self.columns) FROM \(unsafeSQL: Self.from) WHERE o.name = \(name)
            \(unsafeSQL: lock ? "FOR UPDATE OF o" : "")
            """
        ).first.map(Self.decode)
    }

    public func require(_ name: String, lock: Bool = false) async throws -> OperatorAccount {
        guard let account = try await find(name, lock: lock) else { throw StoreError.notFound("operator \(name)") }
        return account
    }

    /// Changes the role, display name or `disabled` of `name`. A central role does not
    /// become `local` nor the reverse (a local operator belongs to its entity), and the last
    /// enabled admin stays one.
    public func update(
        _ name: String, role: OperatorRole?, displayName: String??, disabled: Bool?, by actor: Principal
    ) async throws -> OperatorAccount {
        let before = try await require(name, lock: true)
        var problems: [FieldProblem] = []
        if let role, (role == .local) != (before.role == .local) {
            problems.append(
                FieldProblem(field: "role", message: before.role == .local
                    ? "a local operator stays local; create a central operator instead"
                    : "a central operator cannot become local; create a local operator instead"))
        }
        if case let displayName?? = displayName { problems += PackageRules.checkLabel(displayName, field: "display_name") }
        try ValidationFailure.throwIfAny(problems)
        let newRole = role ?? before.role
        let newDisplayName = displayName ?? before.displayName
        let newDisabled = disabled ?? before.disabled
        if before.role == .admin, !before.disabled, newRole != .admin || newDisabled {
            // Serializes demotions: two admins demoting each other cannot both succeed.
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext('campaignd.operators.admins'))")
            let others = try await connection.query(
                "SELECT count(*) AS n FROM central.operators WHERE role = 'admin' AND disabled_at IS NULL AND name <> \(name)")
            if try others[0].decode(Int.self, "n") == 0 {
                throw StoreError.conflict(
                    code: "last_admin", message: "\(name) is the last enabled admin; make another admin first")
            }
        }
        try await connection.query(
            """
            UPDATE central.operators SET role = \(newRole.rawValue),
                display_name = \(newDisplayName),
                disabled_at = CASE WHEN \(newDisabled) THEN coalesce(disabled_at, now()) END,
                updated_at = now()
            WHERE id = \(before.id)
            """)
        let after = try await require(name)
        if after != before {
            try await Journal(connection: connection).append(
                actor: actor.actorName, action: "edit", subject: "operator", subjectID: before.id,
                before: Self.snapshot(before), after: Self.snapshot(after))
        }
        if after.role != before.role || after.disabled != before.disabled {
            try await AccessChanges.announce(on: connection)
        }
        return after
    }

    /// Replaces the password hash of `name` (the caller hashed and checked the password).
    public func setPasswordHash(_ hash: String, of name: String, by actor: Principal) async throws {
        let account = try await require(name, lock: true)
        try await connection.query(
            """
            UPDATE central.operators SET password_hash = \(hash), password_changed_at = now(), updated_at = now()
            WHERE id = \(account.id)
            """)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "set_password", subject: "operator", subjectID: account.id)
    }

    /// What a password check needs: the account and its hash; `nil` for an unknown name.
    public func credentials(of name: String) async throws -> (account: OperatorAccount, hash: String?)? {
        guard let row = try await connection.query(
            "SELECT \(unsafeSQL: Self.columns), o.password_hash FROM \(unsafeSQL: Self.from) WHERE o.name = \(name)"
        ).first else { return nil }
        return (try Self.decode(row), try row.decode(String?.self, "password_hash"))
    }

    /// The id of operator `name`, created as an `admin` when it does not exist (the
    /// command line's `token create --central NAME`).
    public func ensure(_ name: String) async throws -> Int {
        if let existing = try await connection.query("SELECT id FROM central.operators WHERE name = \(name)").first {
            return try existing.decode(Int.self, "id")
        }
        try ValidationFailure.throwIfAny(OperatorRules.checkName(name))
        let rows = try await connection.query(
            """
            INSERT INTO central.operators (name, role) VALUES (\(name), 'admin')
            ON CONFLICT (name) DO UPDATE SET name = EXCLUDED.name
            RETURNING id
            """)
        return try rows[0].decode(Int.self, "id")
    }

    /// The problems of a package's `reviewers`: each must be an operator who may approve
    /// (an approver or an admin), named once.
    public func reviewerProblems(_ names: [String], field: String = "reviewers") async throws -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if names.count > OperatorRules.maximumReviewers {
            problems.append(FieldProblem(field: field, message: "must name at most \(OperatorRules.maximumReviewers) operators"))
        }
        if Set(names).count != names.count { problems.append(FieldProblem(field: field, message: "must not name an operator twice")) }
        guard !names.isEmpty else { return problems }
        let rows = try await connection.query(
            "SELECT name FROM central.operators WHERE name = ANY(\(names)) AND role IN ('approver', 'admin')")
        let deciders = Set(try rows.map { try $0.decode(String.self, "name") })
        let others = names.filter { !deciders.contains($0) }
        if !others.isEmpty {
            problems.append(
                FieldProblem(field: field, message: "not approvers or admins: \(others.joined(separator: ", "))"))
        }
        return problems
    }

    static func decode(_ row: PostgresRow) throws -> OperatorAccount {
        let raw = try row.decode(String.self, "role")
        guard let role = OperatorRole(rawValue: raw) else {
            throw PostgresError(code: .decoding, message: "unexpected role \(raw)", column: "role")
        }
        return OperatorAccount(
            id: try row.decode(Int.self, "id"), name: try row.decode(String.self, "name"), role: role,
            entityCode: try row.decode(String?.self, "entity_code"), displayName: try row.decode(String?.self, "display_name"),
            disabled: try row.decode(Bool.self, "disabled"), hasPassword: try row.decode(Bool.self, "has_password"),
            createdAt: try row.decode(Date.self, "created_at"), updatedAt: try row.decode(Date.self, "updated_at"))
    }

    static func snapshot(_ account: OperatorAccount) -> JSONValue {
        .object([
            "name": .string(account.name), "role": .string(account.role.rawValue),
            "entity": account.entityCode.map(JSONValue.string) ?? .null,
            "display_name": account.displayName.map(JSONValue.string) ?? .null, "disabled": .bool(account.disabled),
        ])
    }
}

/// Changes that can end someone's access: every daemon hears them and forgets the
/// principals it remembers (``TokenStore``), so that a revoked token or a disabled
/// operator or entity stops working everywhere at once, not when a cache expires.
public enum AccessChanges {
    public static let channel = "campaignd_access"

    /// Sent on commit of the current transaction.
    public static func announce(on connection: PostgresConnection) async throws {
        try await connection.notify(channel: channel, payload: "")
    }
}

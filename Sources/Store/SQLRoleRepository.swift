import Foundation
import Postgres

/// Login roles for local entities that poll over SQL (`campaignd sql-role create`).
public struct SQLRoleRepository: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Creates (or, when it exists, gives a new password to) the login role of entity
    /// `code`: a member of `campaignd_entity_reader`, reading its own notifications and
    /// orders. Returns the role name and its password; `nil` when no such entity exists.
    public func create(entityCode code: String) async throws -> (role: String, password: String)? {
        guard let entity = try await connection.query(
            "SELECT id, disabled_at IS NOT NULL AS disabled FROM central.entities WHERE code = \(code)"
        ).first else { return nil }
        let entityID = try entity.decode(Int.self, "id")
        if try entity.decode(Bool.self, "disabled") {
            throw StoreError.conflict(code: "entity_disabled", message: "entity \(code) is disabled; enable it first")
        }
        let role = Self.roleName(for: code, entityID: entityID)
        let password = Self.password()
        let exists = try await !connection.query("SELECT 1 FROM pg_roles WHERE rolname = \(role)").isEmpty
        // Utility statements take no parameters: the role name is quoted by libpq and the
        // password is a literal made of hex digits only.
        let verb = exists ? "ALTER" : "CREATE"
        try await connection.query(
            "\(unsafeSQL: verb) ROLE \(identifier: role) LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '\(unsafeSQL: password)'")
        try await connection.query("GRANT campaignd_entity_reader TO \(identifier: role)")
        try await connection.query(
            """
            INSERT INTO central.sql_roles (role_name, entity_id) VALUES (\(role), \(entityID))
            ON CONFLICT (role_name) DO UPDATE SET entity_id = EXCLUDED.entity_id
            """)
        return (role, password)
    }

    /// `campaignd_e<id>_<code>`: lowercase letters, digits and underscores, at most 63
    /// bytes; the entity id keeps two codes that clean up alike apart.
    static func roleName(for code: String, entityID: Int) -> String {
        let cleaned = code.lowercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" }
        return String(("campaignd_e\(entityID)_" + String(cleaned)).prefix(63))
    }

    static func password() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<24).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.hexEncoded
    }
}

import Domain
import Foundation
import Postgres

/// Tokens as an admin sees them (`GET /v1/tokens`, `DELETE /v1/tokens/{id}`): never a secret.
public struct TokenRepository: Sendable {
    let connection: PostgresConnection

    public struct Filter: Sendable {
        public var ownerKind: TokenRecord.OwnerKind?
        public var owner: String?
        /// `true`: only revoked tokens; `false`: only live ones.
        public var revoked: Bool?

        public init(ownerKind: TokenRecord.OwnerKind? = nil, owner: String? = nil, revoked: Bool? = nil) {
            self.ownerKind = ownerKind
            self.owner = owner
            self.revoked = revoked
        }
    }

    static let select = """
        SELECT t.id, t.label, t.created_at, t.last_used_at, t.revoked_at, o.name AS operator_name, e.code AS entity_code
        FROM central.api_tokens t
        LEFT JOIN central.operators o ON o.id = t.operator_id
        LEFT JOIN central.entities e ON e.id = t.entity_id
        """

    /// Tokens in id order, after `cursor` (an id).
    public func list(_ filter: Filter, after cursor: Int, limit: Int) async throws -> [TokenRecord] {
        let kind = filter.ownerKind?.rawValue
        return try await connection.query(
            """
            \(unsafeSQL: Self.select)
            WHERE t.id > \(cursor)
              AND (\(kind)::text IS NULL OR (\(kind) = 'operator') = (t.operator_id IS NOT NULL))
              AND (\(filter.owner)::text IS NULL OR coalesce(o.name, e.code) = \(filter.owner))
              AND (\(filter.revoked)::boolean IS NULL OR (t.revoked_at IS NOT NULL) = \(filter.revoked))
            ORDER BY t.id LIMIT \(limit)
            """
        ).map(Self.decode)
    }

    public func find(_ id: Int) async throws -> TokenRecord? {
        try await connection.query("\(unsafeSQL: Self.select) WHERE t.id = \(id)").first.map(Self.decode)
    }

    /// Revokes token `id` (once: revoking it again changes nothing) and announces it to
    /// every daemon; ``StoreError/notFound(_:)`` when there is no such token.
    public func revoke(_ id: Int, by actor: Principal) async throws -> TokenRecord {
        let rows = try await connection.query(
            """
            UPDATE central.api_tokens SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL
            RETURNING entity_id
            """)
        if let row = rows.first {
            try await Journal(connection: connection).append(
                actor: actor.actorName, action: "revoke_token", subject: "token", subjectID: id,
                entityID: try row.decode(Int?.self, "entity_id"))
            try await AccessChanges.announce(on: connection)
        }
        guard let token = try await find(id) else { throw StoreError.notFound("token \(id)") }
        return token
    }

    static func decode(_ row: PostgresRow) throws -> TokenRecord {
        let operatorName = try row.decode(String?.self, "operator_name")
        return TokenRecord(
            id: try row.decode(Int.self, "id"), ownerKind: operatorName == nil ? .entity : .operator,
            owner: try operatorName ?? row.decode(String.self, "entity_code"), label: try row.decode(String?.self, "label"),
            createdAt: try row.decode(Date.self, "created_at"), lastUsedAt: try row.decode(Date?.self, "last_used_at"),
            revokedAt: try row.decode(Date?.self, "revoked_at"))
    }
}

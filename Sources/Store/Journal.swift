import Domain
import Foundation
import Postgres

/// The append-only audit journal (`central.audit_journal`).
public struct Journal: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Appends one entry in the current transaction.
    public func append(
        actor: String, action: String, subject: String, subjectID: Int?, packageID: Int? = nil,
        entityID: Int? = nil, comment: String? = nil, before: JSONValue? = nil, after: JSONValue? = nil
    ) async throws {
        try await connection.query(
            """
            INSERT INTO central.audit_journal (actor, action, subject, subject_id, package_id, entity_id, comment, before, after)
            VALUES (\(actor), \(action), \(subject), \(subjectID), \(packageID), \(entityID), \(comment),
                    \(before), \(after))
            """)
    }

    /// The entries about one package, oldest first, after `cursor` (an entry id).
    public func entries(packageID: Int, after cursor: Int, limit: Int) async throws -> [JournalEntry] {
        let rows = try await connection.query(
            """
            SELECT id, at, actor, action, subject, subject_id, entity_id, comment, before, after
            FROM central.audit_journal
            WHERE package_id = \(packageID) AND id > \(cursor)
            ORDER BY id LIMIT \(limit)
            """)
        return try rows.map { row in
            JournalEntry(
                id: try row.decode(Int.self, "id"), at: try row.decode(Date.self, "at"),
                actor: try row.decode(String.self, "actor"), action: try row.decode(String.self, "action"),
                subject: try row.decode(String.self, "subject"), subjectID: try row.decode(Int?.self, "subject_id"),
                entityID: try row.decode(Int?.self, "entity_id"), comment: try row.decode(String?.self, "comment"),
                before: try row.decode(JSONValue?.self, "before"),
                after: try row.decode(JSONValue?.self, "after"))
        }
    }
}

/// One audit entry: who, what, when, comment, before → after.
public struct JournalEntry: Sendable, Equatable {
    public var id: Int
    public var at: Date
    public var actor: String
    public var action: String
    public var subject: String
    public var subjectID: Int?
    public var entityID: Int?
    public var comment: String?
    public var before: JSONValue?
    public var after: JSONValue?
}

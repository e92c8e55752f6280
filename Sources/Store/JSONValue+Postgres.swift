import Domain
import Postgres

/// `jsonb` columns as ``JSONValue``, read and written through the daemon's own parser and
/// serializer: numbers keep every digit (`jsonb` stores them as `numeric`).
extension JSONValue: PostgresEncodable, PostgresDecodable {
    public static var postgresType: PostgresDataType { .jsonb }
    public var postgresText: String? { String(decoding: serialized, as: UTF8.self) }

    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> JSONValue
    {
        guard type == .json || type == .jsonb else { throw .typeMismatch }
        do {
            return try JSONValue(parsing: text.utf8)
        } catch {
            throw .invalidText
        }
    }
}

extension PostgresRow {
    /// A `jsonb` column that holds an object (settings, parameters, payloads).
    func decodeObject(_ column: String) throws -> [String: JSONValue] {
        guard let members = try decode(JSONValue.self, column).objectValue else {
            throw PostgresError(code: .decoding, message: "column \(column) holds JSON that is not an object")
        }
        return members
    }
}

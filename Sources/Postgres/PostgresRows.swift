/// The rows of one statement's result, copied out of libpq (so they are `Sendable`).
public struct PostgresRows: Sendable, RandomAccessCollection {
    public let columns: [String]
    public let columnTypes: [PostgresDataType]
    let values: [[String?]]
    /// Rows inserted, updated or deleted (`PQcmdTuples`), 0 when not applicable.
    public let affectedRows: Int

    init(columns: [String], columnTypes: [PostgresDataType], values: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.columnTypes = columnTypes
        self.values = values
        self.affectedRows = affectedRows
    }

    public var startIndex: Int { values.startIndex }
    public var endIndex: Int { values.endIndex }

    public subscript(position: Int) -> PostgresRow {
        PostgresRow(columns: columns, columnTypes: columnTypes, values: values[position])
    }
}

/// One row: decode its columns by name or position.
public struct PostgresRow: Sendable {
    public let columns: [String]
    public let columnTypes: [PostgresDataType]
    let values: [String?]

    /// Decodes the column named `column`.
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, _ column: String) throws -> Value {
        guard let index = columns.firstIndex(of: column) else {
            throw PostgresError(code: .decoding, message: "no such column in the result", column: column)
        }
        return try decode(type, at: index)
    }

    /// Decodes the column at `index` (0-based).
    public func decode<Value: PostgresDecodable>(_ type: Value.Type, at index: Int) throws -> Value {
        guard columns.indices.contains(index) else {
            throw PostgresError(code: .decoding, message: "no column at index \(index)", column: "#\(index)")
        }
        let columnType = columnTypes[index]
        let failure: PostgresDecodingFailure
        if let text = values[index] {
            do {
                return try Value.decode(postgresText: text, type: columnType)
            } catch {
                failure = error
            }
        } else if let null = Value.postgresNull {
            return null
        } else {
            failure = .unexpectedNull
        }
        let message =
            switch failure {
            case .typeMismatch: "cannot decode \(columnType) as \(Value.self)"
            case .invalidText: "the \(columnType) value is not a valid \(Value.self)"
            case .unexpectedNull: "NULL where \(Value.self) expects a value"
            }
        throw PostgresError(code: .decoding, message: message, column: columns[index])
    }

    /// Decodes a `json`/`jsonb` column into a `Codable` value.
    public func decodeJSON<Value: Codable & Sendable>(_ type: Value.Type, _ column: String) throws -> Value {
        try decode(PostgresJSON<Value>.self, column).value
    }

    /// Whether the column is SQL NULL.
    public func isNull(_ column: String) -> Bool {
        guard let index = columns.firstIndex(of: column) else { return true }
        return values[index] == nil
    }
}

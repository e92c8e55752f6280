import Foundation

/// Why a column could not become a Swift value.
public enum PostgresDecodingFailure: Error, Sendable {
    case typeMismatch
    case invalidText
    case unexpectedNull
}

/// A Swift value that can be read from a column in PostgreSQL's text format.
public protocol PostgresDecodable: Sendable {
    /// Decodes the text of a non-NULL column of type `type`.
    static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure) -> Self
    /// The value of a SQL NULL, or `nil` when NULL is not allowed (only `Optional` allows it).
    static var postgresNull: Self? { get }
}

extension PostgresDecodable {
    public static var postgresNull: Self? { nil }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> Wrapped?
    {
        try Wrapped.decode(postgresText: text, type: type)
    }
    public static var postgresNull: Wrapped?? { .some(.none) }
}

extension String: PostgresDecodable {
    static let textTypes: Set<PostgresDataType> = [.text, .varchar, .bpchar, .name, .unknown, .uuid]
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> String
    {
        guard textTypes.contains(type) else { throw .typeMismatch }
        return text
    }
}

extension FixedWidthInteger where Self: PostgresDecodable {
    static func decodeInteger(_ text: String, _ type: PostgresDataType) throws(PostgresDecodingFailure) -> Self {
        guard type == .int2 || type == .int4 || type == .int8 || type == .oidType || type == .xid8 else {
            throw .typeMismatch
        }
        guard let value = Self(text) else { throw .invalidText }
        return value
    }
}

extension Int: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> Int
    {
        try decodeInteger(text, type)
    }
}

extension Int64: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> Int64
    {
        try decodeInteger(text, type)
    }
}

extension Int32: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> Int32
    {
        try decodeInteger(text, type)
    }
}

extension Bool: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> Bool
    {
        guard type == .bool else { throw .typeMismatch }
        switch text {
        case "t": return true
        case "f": return false
        default: throw .invalidText
        }
    }
}

extension Double: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> Double
    {
        guard type == .float8 || type == .float4 || type == .numeric else { throw .typeMismatch }
        guard let value = Double(text) else { throw .invalidText }
        return value
    }
}

extension Date: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> Date
    {
        guard type == .timestamptz || type == .timestamp else { throw .typeMismatch }
        guard let date = PostgresTimestamp.parse(text) else { throw .invalidText }
        return date
    }
}

extension UUID: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> UUID
    {
        guard type == .uuid else { throw .typeMismatch }
        guard let uuid = UUID(uuidString: text) else { throw .invalidText }
        return uuid
    }
}

extension Array: PostgresDecodable where Element: PostgresArrayElement & PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> [Element]
    {
        let elementType: PostgresDataType
        switch type {
        case .textArray, .varcharArray: elementType = .text
        case .int8Array: elementType = .int8
        case .int4Array: elementType = .int4
        default: throw .typeMismatch
        }
        guard let raw = PostgresArrayLiteral.parse(text) else { throw .invalidText }
        var elements: [Element] = []
        elements.reserveCapacity(raw.count)
        for item in raw {
            guard let item else { throw .unexpectedNull }
            elements.append(try Element.decode(postgresText: item, type: elementType))
        }
        return elements
    }
}

extension PostgresJSON: PostgresDecodable {
    public static func decode(postgresText text: String, type: PostgresDataType) throws(PostgresDecodingFailure)
        -> PostgresJSON<Value>
    {
        guard type == .json || type == .jsonb else { throw .typeMismatch }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return PostgresJSON(try decoder.decode(Value.self, from: Data(text.utf8)))
        } catch {
            throw .invalidText
        }
    }
}

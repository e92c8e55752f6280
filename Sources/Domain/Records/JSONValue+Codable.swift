import Foundation

extension JSONValue {
    /// A `Codable` value as JSON (a job's typed payload on its way into `jsonb`).
    public init(encoding value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        self = try JSONValue(parsing: try encoder.encode(value))
    }

    /// The value read as a `Decodable` type (a job's typed payload on its way out).
    public func decode<Value: Decodable>(as type: Value.Type) throws -> Value {
        try JSONDecoder().decode(type, from: Data(serialized))
    }
}

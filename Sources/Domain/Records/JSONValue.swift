/// Any JSON value: package settings and order parameters are free JSON objects.
///
/// Read JSON text with ``init(parsing:)`` and write it with ``serialized``: numbers keep
/// every digit that way. The `Codable` conformance serves generic coders, where a number
/// that is not a 64-bit integer passes through a `Double`.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .number(JSONNumber(Int(value)))
        } else if let value = try? container.decode(Double.self), let number = JSONNumber(value) {
            self = .number(number)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if let int = value.int {
                try container.encode(Int64(int))
            } else {
                try container.encode(value.double)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// Whether every number in the value can be stored (``JSONNumber/isStorable``).
    public var numbersAreStorable: Bool {
        switch self {
        case .number(let number): number.isStorable
        case .array(let items): items.allSatisfy(\.numbersAreStorable)
        case .object(let members): members.values.allSatisfy(\.numbersAreStorable)
        case .null, .bool, .string: true
        }
    }

    /// The members of an object, else `nil`.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// A short name of the kind of value, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

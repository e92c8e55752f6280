import Foundation

/// How the API spells the members of its objects: ids as strings, times in RFC 3339,
/// absent values as `null`.
extension JSONValue {
    public static func id(_ value: Int) -> JSONValue { .string(String(value)) }
    public static func id(_ value: Int?) -> JSONValue { value.map { .string(String($0)) } ?? .null }
    public static func date(_ value: Date?) -> JSONValue { value.map { .string(RFC3339.format($0)) } ?? .null }
    public static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
}

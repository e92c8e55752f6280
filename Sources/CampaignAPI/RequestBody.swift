import Domain
import Foundation
import Hummingbird

/// A JSON object body, read field by field: each wrong field is recorded, and
/// ``finish()`` answers them all at once as `validation_failed`.
struct RequestBody {
    private var members: [String: JSONValue]
    private(set) var problems: [FieldProblem] = []

    /// Reads a body; 400 `malformed_json` when it is not JSON, 422 when it is not an
    /// object or has fields outside `allowed`.
    init(data: Data, allowed: Set<String>) throws {
        if data.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) {
            members = [:]
            return
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: data)
        } catch {
            throw APIError(.badRequest, code: "malformed_json", detail: "the request body is not valid JSON: \(error)")
        }
        guard let object = value.objectValue else {
            throw APIError.validation([FieldProblem(field: "(body)", message: "must be a JSON object, not \(value.kindName)")])
        }
        members = object
        if Self.containsNUL(value) {
            // PostgreSQL text and jsonb cannot hold U+0000: refuse it rather than lose data.
            problems.append(FieldProblem(field: "(body)", message: "must not contain the NUL character (\\u0000)"))
        }
        for (key, member) in object.sorted(by: { $0.key < $1.key }) where !member.numbersAreStorable {
            problems.append(
                FieldProblem(
                    field: key,
                    message: "holds a number beyond what can be stored (131,072 digits before the point, 16,383 after)"))
        }
        for key in Set(object.keys).subtracting(allowed).sorted() {
            problems.append(FieldProblem(field: key, message: "unknown field"))
        }
    }

    /// The `{comment?}` body of an action. Whether the action needs a comment is
    /// Domain's rule (`CommentRules`), checked where the action is decided.
    static func comment(_ data: Data) throws -> String? {
        var body = try RequestBody(data: data, allowed: ["comment"])
        let comment = body.string("comment")
        try body.finish()
        return comment
    }

    func has(_ key: String) -> Bool { members[key] != nil }

    static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.unicodeScalars.contains("\u{0}")
        case .array(let items): items.contains(where: containsNUL)
        case .object(let members): members.contains { $0.key.unicodeScalars.contains("\u{0}") || containsNUL($0.value) }
        default: false
        }
    }

    private mutating func wrong(_ key: String, _ expected: String) {
        problems.append(FieldProblem(field: key, message: "must be \(expected), not \(members[key]?.kindName ?? "absent")"))
    }

    /// A string; `nil` when absent (a problem when `required`) or of another kind.
    mutating func string(_ key: String, required: Bool = false) -> String? {
        switch members[key] {
        case .string(let value): return value
        case nil, .null?:
            if required { problems.append(FieldProblem(field: key, message: "is required")) }
            return nil
        default:
            wrong(key, "a string")
            return nil
        }
    }

    /// For optional fields: `nil` absent, `.some(nil)` null, `.some(value)` set.
    mutating func optionalString(_ key: String) -> String?? {
        guard let value = members[key] else { return nil }
        if case .null = value { return .some(nil) }
        return .some(string(key))
    }

    /// A whole number ≥ 0.
    mutating func integer(_ key: String, required: Bool = false) -> Int? {
        switch members[key] {
        case .number(let number) where (number.int ?? -1) >= 0:
            return number.int
        case nil, .null?:
            if required { problems.append(FieldProblem(field: key, message: "is required")) }
            return nil
        default:
            wrong(key, "a whole number of 0 or more")
            return nil
        }
    }

    mutating func bool(_ key: String) -> Bool? {
        switch members[key] {
        case .bool(let value): return value
        case nil, .null?: return nil
        default:
            wrong(key, "a boolean")
            return nil
        }
    }

    /// An RFC 3339 timestamp: `nil` absent, `.some(nil)` null.
    mutating func date(_ key: String) -> Date?? {
        guard let value = members[key] else { return nil }
        switch value {
        case .null: return .some(nil)
        case .string(let text):
            guard let date = RFC3339.parse(text) else {
                problems.append(FieldProblem(field: key, message: "must be an RFC 3339 timestamp from year 0001 to 9999, e.g. 2026-01-31T09:00:00Z"))
                return nil
            }
            return .some(date)
        default:
            wrong(key, "an RFC 3339 timestamp string")
            return nil
        }
    }

    mutating func object(_ key: String) -> [String: JSONValue]? {
        switch members[key] {
        case .object(let value): return value
        case nil, .null?: return nil
        default:
            wrong(key, "an object")
            return nil
        }
    }

    /// A list of strings: `nil` absent, `.some(nil)` null.
    mutating func stringList(_ key: String) -> [String]?? {
        guard let value = members[key] else { return nil }
        switch value {
        case .null: return .some(nil)
        case .array(let items):
            var strings: [String] = []
            for item in items {
                guard case .string(let text) = item else {
                    wrong(key, "a list of strings")
                    return nil
                }
                strings.append(text)
            }
            return .some(strings)
        default:
            wrong(key, "a list of strings")
            return nil
        }
    }

    mutating func enumeration<Value: RawRepresentable & CaseIterable>(_ key: String, _ type: Value.Type, required: Bool = false)
        -> Value? where Value.RawValue == String
    {
        guard let text = string(key, required: required) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue).joined(separator: ", ")
            problems.append(FieldProblem(field: key, message: "must be one of \(allowed)"))
            return nil
        }
        return value
    }

    /// Throws the recorded problems, if any.
    func finish() throws {
        guard problems.isEmpty else { throw APIError.validation(problems) }
    }
}

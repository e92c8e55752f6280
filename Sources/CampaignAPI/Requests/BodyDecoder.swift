import Domain
import Foundation

/// A `Decoder` over a parsed JSON body that reports every wrong field at once.
///
/// `JSONDecoder` stops at the first wrong field and turns numbers into doubles; a request
/// decoded here keeps each number's text (``JSONValue`` members come through as they were
/// sent) and, for each optional property, records a ``FieldProblem`` instead of throwing:
/// the request type then has `nil` there, and ``BodyDecoding`` answers all the problems in
/// one 422, with the fields the type does not know and the required ones missing.
struct BodyDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let log: ProblemLog
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else { throw mismatch(expected: "an object") }
        return KeyedDecodingContainer(BodyKeyedContainer<Key>(members: members, decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else { throw mismatch(expected: "a list") }
        return BodyUnkeyedContainer(items: items, decoder: self)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        BodySingleValueContainer(decoder: self)
    }

    /// The value as `T`: JSON values as they are, dates from RFC 3339, the rest by `Decodable`.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if let itself = value as? T { return itself }
        if T.self == Date.self {
            guard case .string(let text) = value, let date = RFC3339.parse(text), let typed = date as? T else {
                throw mismatch(expected: "an RFC 3339 timestamp")
            }
            return typed
        }
        return try T(from: self)
    }

    func child(_ value: JSONValue, key: any CodingKey) -> BodyDecoder {
        BodyDecoder(value: value, codingPath: codingPath + [key], log: log)
    }

    func mismatch(expected: String) -> DecodingError {
        DecodingError.typeMismatch(
            Any.self, DecodingError.Context(codingPath: codingPath, debugDescription: "expected \(expected)"))
    }
}

/// What decoding a body found wrong, and which top-level fields the request type read.
final class ProblemLog {
    var problems: [FieldProblem] = []
    var fieldsRead: Set<String> = []

    func record(_ path: [any CodingKey], expected: any Any.Type, found value: JSONValue) {
        let field = path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        let message = (expected as? any FieldExpectation.Type)?.problem(found: value) ?? "is not valid"
        problems.append(FieldProblem(field: field, message: message))
    }
}

/// A field's kind in words, for the problem of a wrong value ("must be a string, not a number").
protocol FieldExpectation {
    static var expectation: String { get }
    /// What is wrong with `value`, in the words of a problem.
    static func problem(found value: JSONValue) -> String
}

extension FieldExpectation {
    static func problem(found value: JSONValue) -> String { "must be \(expectation), not \(value.kindName)" }
}

extension String: FieldExpectation { static var expectation: String { "a string" } }
extension Bool: FieldExpectation { static var expectation: String { "a boolean" } }
extension Int: FieldExpectation { static var expectation: String { "a whole number" } }
extension Array: FieldExpectation where Element == String { static var expectation: String { "a list of strings" } }
extension Dictionary: FieldExpectation where Key == String, Value == JSONValue {
    static var expectation: String { "an object" }
}

extension Date: FieldExpectation {
    static var expectation: String { "an RFC 3339 timestamp string" }
    static func problem(found value: JSONValue) -> String {
        guard case .string = value else { return "must be \(expectation), not \(value.kindName)" }
        return "must be an RFC 3339 timestamp from year 0001 to 9999, e.g. 2026-01-31T09:00:00Z"
    }
}

extension Patch: FieldExpectation where Value: FieldExpectation {
    static var expectation: String { Value.expectation }
    static func problem(found value: JSONValue) -> String { Value.problem(found: value) }
}

/// A string enumeration of the API: a wrong value's problem lists the allowed ones.
protocol WireEnumeration: RawRepresentable, CaseIterable, FieldExpectation where RawValue == String {}

extension WireEnumeration {
    static var wireNames: [String] { allCases.map(\.rawValue) }
    static var expectation: String { "a string" }
    static func problem(found value: JSONValue) -> String {
        guard case .string = value else { return "must be \(expectation), not \(value.kindName)" }
        return "must be one of \(wireNames.joined(separator: ", "))"
    }
}

extension PackageType: WireEnumeration {}
extension ApprovalMode: WireEnumeration {}
extension OperatorRole: WireEnumeration {}

/// A PATCH field that may be cleared: absent (`nil` around it), `null`, or a value.
enum Patch<Value: Decodable & Sendable>: Decodable, Sendable {
    case null
    case value(Value)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self = container.decodeNil() ? .null : .value(try container.decode(Value.self))
    }

    /// The value, or `nil` for `null`.
    var wrapped: Value? {
        if case .value(let value) = self { return value }
        return nil
    }
}

/// A `Patch` in a keyed container: `null` is a value of its own, not an absence.
protocol NullablePatch {
    static var null: Self { get }
}

extension Patch: NullablePatch {}

struct BodyKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let members: [String: JSONValue]
    let decoder: BodyDecoder

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        noteRead(key)
        return members[key.stringValue] != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        members[key.stringValue].map { $0 == .null } ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        noteRead(key)
        guard let member = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, DecodingError.Context(codingPath: codingPath, debugDescription: "absent"))
        }
        return try decoder.child(member, key: key).decode(type)
    }

    /// Absent: `nil`. `null`: `nil`, or `.null` for a ``Patch``. Wrong: `nil`, and a problem.
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        noteRead(key)
        guard let member = members[key.stringValue] else { return nil }
        if member == .null { return (T.self as? any NullablePatch.Type)?.null as? T }
        let child = decoder.child(member, key: key)
        do {
            return try child.decode(type)
        } catch {
            decoder.log.record(child.codingPath, expected: T.self, found: member)
            return nil
        }
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(Wrap<String>.self, forKey: key)?.value }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(Wrap<Bool>.self, forKey: key)?.value }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(Wrap<Int>.self, forKey: key)?.value }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try decoder.child(members[key.stringValue] ?? .null, key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(members[key.stringValue] ?? .null, key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { decoder }
    func superDecoder(forKey key: Key) throws -> any Decoder { decoder.child(members[key.stringValue] ?? .null, key: key) }

    private func noteRead(_ key: Key) {
        if codingPath.isEmpty { decoder.log.fieldsRead.insert(key.stringValue) }
    }
}

/// A primitive read through the generic path (so that its problem is recorded, not thrown),
/// with the primitive's own expectation in the problem.
private struct Wrap<Value: Decodable>: Decodable {
    let value: Value
    init(from decoder: any Decoder) throws { value = try decoder.singleValueContainer().decode(Value.self) }
}

extension Wrap: FieldExpectation where Value: FieldExpectation {
    static var expectation: String { Value.expectation }
    static func problem(found value: JSONValue) -> String { Value.problem(found: value) }
}

struct BodyUnkeyedContainer: UnkeyedDecodingContainer {
    let items: [JSONValue]
    let decoder: BodyDecoder
    var currentIndex = 0

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, items[currentIndex] == .null else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(type, DecodingError.Context(codingPath: codingPath, debugDescription: "end of list"))
        }
        let child = decoder.child(items[currentIndex], key: IndexKey(intValue: currentIndex))
        let value = try child.decode(type)
        currentIndex += 1
        return value
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        defer { currentIndex += 1 }
        return try decoder.child(items[currentIndex], key: IndexKey(intValue: currentIndex)).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        defer { currentIndex += 1 }
        return try decoder.child(items[currentIndex], key: IndexKey(intValue: currentIndex)).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { decoder }
}

struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { String(intValue ?? 0) }
    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

struct BodySingleValueContainer: SingleValueDecodingContainer {
    let decoder: BodyDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value == .null }

    func decode(_ type: String.Type) throws -> String {
        guard case .string(let text) = decoder.value else { throw decoder.mismatch(expected: "a string") }
        return text
    }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard case .bool(let value) = decoder.value else { throw decoder.mismatch(expected: "a boolean") }
        return value
    }

    func decode(_ type: Int.Type) throws -> Int {
        guard case .number(let number) = decoder.value, let value = number.int else {
            throw decoder.mismatch(expected: "a whole number")
        }
        return value
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard case .number(let number) = decoder.value else { throw decoder.mismatch(expected: "a number") }
        return number.double
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try decoder.decode(type) }
}

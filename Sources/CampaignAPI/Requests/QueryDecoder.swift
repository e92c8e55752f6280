import Domain
import Foundation
import Hummingbird

/// Reads a query string into its request type, every problem at once.
///
/// Not Hummingbird's `URLEncodedFormDecoder`: that one stops at the first wrong value,
/// wants `status[]=` for lists and refuses repeated keys, while the API answers every
/// problem in one 422, takes lists as `status=a,b` or `status=a&status=b`, and ignores
/// parameters it does not know. An empty value (`?late=`) counts as absent. The request
/// types hold ``QueryValue``s, each with its own range (``PageSize``, ``WaitSeconds``).
enum QueryDecoding {
    static func decode<Query: Decodable>(_ type: Query.Type, from request: Request) throws -> Query {
        var values: [String: [String]] = [:]
        let log = ProblemLog()
        for (name, value) in request.uri.queryParameters {
            if value.unicodeScalars.contains("\u{0}") {
                // PostgreSQL text cannot hold U+0000: refuse it here rather than fail later.
                log.problems.append(FieldProblem(field: String(name), message: "must not contain the NUL character"))
            } else if !value.isEmpty {
                values[String(name), default: []].append(String(value))
            }
        }
        let query = try Query(from: QueryDecoder(values: values, log: log))
        guard log.problems.isEmpty else { throw APIError.validation(log.problems) }
        return query
    }
}

/// A value read from query text (`limit=20`, `late=true`, `status=published,approved`).
protocol QueryValue {
    /// The value, or the problem's message ("must be true or false").
    static func parse(_ texts: [String]) -> Result<Self, QueryProblem>
}

extension QueryValue {
    /// ``parse(_:)`` for a type known only at run time.
    static func parseAny(_ texts: [String]) -> Result<Any, QueryProblem> {
        switch parse(texts) {
        case .success(let value): .success(value)
        case .failure(let problem): .failure(problem)
        }
    }
}

struct QueryProblem: Error {
    let messages: [String]
}

extension String: QueryValue {
    static func parse(_ texts: [String]) -> Result<String, QueryProblem> { .success(texts[0]) }
}

extension Int: QueryValue {
    static func parse(_ texts: [String]) -> Result<Int, QueryProblem> {
        guard let value = Int(texts[0]), value >= 0 else { return .failure(QueryProblem(messages: ["must be a non-negative whole number"])) }
        return .success(value)
    }
}

extension Bool: QueryValue {
    static func parse(_ texts: [String]) -> Result<Bool, QueryProblem> {
        switch texts[0].lowercased() {
        case "true", "1": .success(true)
        case "false", "0": .success(false)
        default: .failure(QueryProblem(messages: ["must be true or false"]))
        }
    }
}

extension Array: QueryValue where Element: WireEnumeration {
    /// A comma-separated list, the parameter possibly repeated; one problem per unknown item.
    static func parse(_ texts: [String]) -> Result<[Element], QueryProblem> {
        var items: [Element] = []
        var messages: [String] = []
        for item in texts.flatMap({ $0.split(separator: ",") }) {
            let text = item.trimmingCharacters(in: .whitespaces)
            if let value = Element(rawValue: text) {
                items.append(value)
            } else {
                messages.append("\(text) is not one of \(Element.wireNames.joined(separator: ", "))")
            }
        }
        return messages.isEmpty ? .success(items) : .failure(QueryProblem(messages: messages))
    }
}

/// `?limit=`: 1 to 500, 50 when absent.
struct PageSize: QueryValue, Decodable, Sendable {
    let value: Int

    static func parse(_ texts: [String]) -> Result<PageSize, QueryProblem> {
        guard let value = Int(texts[0]), (1...500).contains(value) else {
            return .failure(QueryProblem(messages: ["must be a whole number from 1 to 500"]))
        }
        return .success(PageSize(value: value))
    }

    init(value: Int) { self.value = value }
    init(from decoder: any Decoder) throws { throw DecodingError.typeMismatch(Int.self, .init(codingPath: [], debugDescription: "read as text")) }
}

/// `?wait=`: seconds of a long poll, 0 to 60 (`2.5` allowed).
struct WaitSeconds: QueryValue, Decodable, Sendable {
    let value: Double

    static func parse(_ texts: [String]) -> Result<WaitSeconds, QueryProblem> {
        guard let value = Double(texts[0]), value.isFinite, (0...60).contains(value) else {
            return .failure(QueryProblem(messages: ["must be a number of seconds from 0 to 60"]))
        }
        return .success(WaitSeconds(value: value))
    }

    init(value: Double) { self.value = value }
    init(from decoder: any Decoder) throws { throw DecodingError.typeMismatch(Double.self, .init(codingPath: [], debugDescription: "read as text")) }
}

extension PackageType: QueryValue {
    static func parse(_ texts: [String]) -> Result<PackageType, QueryProblem> {
        [PackageType].parse(texts).map { $0.first ?? .local }
    }
}

extension TokenRecord.OwnerKind: WireEnumeration, QueryValue {
    static func parse(_ texts: [String]) -> Result<TokenRecord.OwnerKind, QueryProblem> {
        [TokenRecord.OwnerKind].parse(texts).map { $0.first ?? .operator }
    }
}

extension PackageStatus: WireEnumeration {}
extension OrderStatus: WireEnumeration {}
extension JobStatus: WireEnumeration {}
extension EventKind: WireEnumeration {}

/// The `Decoder` behind ``QueryDecoding``: a keyed container over the parameters whose
/// `decodeIfPresent` reads ``QueryValue``s and records problems instead of throwing.
struct QueryDecoder: Decoder {
    let values: [String: [String]]
    let log: ProblemLog
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(QueryKeyedContainer<Key>(values: values, log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "a query is not a list"))
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [], debugDescription: "a query is not one value"))
    }
}

struct QueryKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let values: [String: [String]]
    let log: ProblemLog
    var codingPath: [any CodingKey] { [] }
    var allKeys: [Key] { values.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }
    func decodeNil(forKey key: Key) throws -> Bool { values[key.stringValue] == nil }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        guard let value = try decodeIfPresent(type, forKey: key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: [], debugDescription: "absent"))
        }
        return value
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let texts = values[key.stringValue] else { return nil }
        guard let valueType = T.self as? any QueryValue.Type else {
            throw DecodingError.typeMismatch(T.self, .init(codingPath: [key], debugDescription: "not a query value"))
        }
        switch valueType.parseAny(texts) {
        case .success(let value): return value as? T
        case .failure(let problem):
            log.problems += problem.messages.map { FieldProblem(field: key.stringValue, message: $0) }
            return nil
        }
    }

    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decodeIfPresent(Boxed<String>.self, forKey: key)?.value }
    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decodeIfPresent(Boxed<Bool>.self, forKey: key)?.value }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decodeIfPresent(Boxed<Int>.self, forKey: key)?.value }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [key], debugDescription: "a query is flat"))
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        throw DecodingError.typeMismatch(Any.self, .init(codingPath: [key], debugDescription: "a query is flat"))
    }

    func superDecoder() throws -> any Decoder { QueryDecoder(values: values, log: log) }
    func superDecoder(forKey key: Key) throws -> any Decoder { QueryDecoder(values: values, log: log) }
}

/// A primitive read through the generic path, so that its problem is recorded.
private struct Boxed<Value: QueryValue & Decodable>: Decodable, QueryValue {
    let value: Value
    init(from decoder: any Decoder) throws { throw DecodingError.typeMismatch(Value.self, .init(codingPath: [], debugDescription: "read as text")) }
    init(_ value: Value) { self.value = value }
    static func parse(_ texts: [String]) -> Result<Boxed, QueryProblem> {
        switch Value.parse(texts) {
        case .success(let value): .success(Boxed(value))
        case .failure(let problem): .failure(problem)
        }
    }
}

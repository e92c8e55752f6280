import Domain
import Foundation
import Hummingbird

/// Reads a JSON request body into its request type: 400 `malformed_json` when it is not
/// JSON; otherwise every problem at once in one 422 `validation_failed` (wrong fields,
/// fields the type does not have, required fields absent or `null`, NUL characters,
/// numbers `jsonb` cannot store). An empty body is an empty object.
enum BodyDecoding {
    static func decode<Body: Decodable>(_ type: Body.Type, from data: Data) throws -> Body {
        let value: JSONValue
        if data.allSatisfy({ $0 == 32 || $0 == 10 || $0 == 13 || $0 == 9 }) {
            value = .object([:])
        } else {
            do {
                value = try JSONValue(parsing: data)
            } catch {
                throw APIError(.badRequest, code: "malformed_json", detail: "the request body is not valid JSON: \(error)")
            }
        }
        guard case .object(let members) = value else {
            throw APIError.validation([FieldProblem(field: "(body)", message: "must be a JSON object, not \(value.kindName)")])
        }
        let log = ProblemLog()
        if containsNUL(value) {
            // PostgreSQL text and jsonb cannot hold U+0000: refuse it rather than lose data.
            log.problems.append(FieldProblem(field: "(body)", message: "must not contain the NUL character (\\u0000)"))
        }
        for (key, member) in members.sorted(by: { $0.key < $1.key }) where !member.numbersAreStorable {
            log.problems.append(
                FieldProblem(
                    field: key, message: "holds a number beyond what can be stored (131,072 digits before the point, 16,383 after)"))
        }
        let body = try BodyDecoder(value: value, codingPath: [], log: log).decode(type)
        for key in Set(members.keys).subtracting(log.fieldsRead).sorted() {
            log.problems.append(FieldProblem(field: key, message: "unknown field"))
        }
        for key in (Body.self as? any RequiredFields.Type)?.requiredFields ?? [] where members[key] == nil || members[key] == .null {
            log.problems.append(FieldProblem(field: key, message: "is required"))
        }
        guard log.problems.isEmpty else { throw APIError.validation(log.problems) }
        return body
    }

    static func containsNUL(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): text.unicodeScalars.contains("\u{0}")
        case .array(let items): items.contains(where: containsNUL)
        case .object(let members): members.contains { $0.key.unicodeScalars.contains("\u{0}") || containsNUL($0.value) }
        default: false
        }
    }
}

/// A body type some of whose fields must be given (not absent, not `null`).
protocol RequiredFields {
    static var requiredFields: [String] { get }
}

/// The body of a request that creates: `Body` with the fields a creation needs.
struct Creation<Body: CreationBody>: Decodable, Sendable, RequiredFields {
    let body: Body

    init(from decoder: any Decoder) throws {
        body = try Body(from: decoder)
    }

    static var requiredFields: [String] { Body.requiredOnCreate }
}

/// A body that creates as well as edits (`POST` and `PATCH` of one resource).
protocol CreationBody: Decodable, Sendable {
    static var requiredOnCreate: [String] { get }
}

/// The API's `RequestDecoder`: `request.decode(as:context:)` reads bodies with
/// ``BodyDecoding`` (exact numbers, every problem at once), not `JSONDecoder`.
public struct APIRequestDecoder: RequestDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from request: Request, context: some RequestContext) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        return try BodyDecoding.decode(type, from: Data(buffer: buffer))
    }
}

extension Request {
    /// The body, collected once: the `POST`s hash it for `Idempotency-Key`, then decode it.
    mutating func collectData(context: some RequestContext) async throws -> Data {
        Data(buffer: try await collectBody(upTo: context.maxUploadSize))
    }
}

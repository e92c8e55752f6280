import Domain
import Foundation
import Hummingbird
import Store

/// An error answered as `application/problem+json` (RFC 9457) with a stable `code`.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var detail: String
    /// Extra members of the problem document (field problems, current version...).
    public var extra: [String: JSONValue]
    public var headers: HTTPFields

    public init(
        _ status: HTTPResponse.Status, code: String, detail: String, extra: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    public static let unauthorized = APIError(
        .unauthorized, code: "unauthorized", detail: "a valid bearer token is required",
        headers: [.wwwAuthenticate: "Bearer realm=\"campaignd\""])

    public static func notFound(_ what: String = "resource") -> APIError {
        APIError(.notFound, code: "not_found", detail: "no such \(what)")
    }

    public static func validation(_ problems: [FieldProblem]) -> APIError {
        APIError(
            .unprocessableContent, code: "validation_failed",
            detail: problems.map { "\($0.field): \($0.message)" }.joined(separator: "; "),
            extra: ["problems": .array(problems.map { .object(["field": .string($0.field), "message": .string($0.message)]) })])
    }

    public var document: JSONValue {
        var members = extra
        members["type"] = .string("urn:campaignd:problem:\(code)")
        members["title"] = .string(status.reasonPhrase)
        members["status"] = .number(JSONNumber(status.code))
        members["detail"] = .string(detail)
        members["code"] = .string(code)
        return .object(members)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONResponse.make(status, document, contentType: "application/problem+json")
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension APIError {
    /// The answer to an error a store operation threw.
    init(_ error: StoreError) {
        switch error {
        case .notFound(let what):
            self = .notFound(what)
        case .invalidTransition(let refusal):
            self.init(
                .conflict, code: "invalid_transition", detail: refusal.reason,
                extra: ["current_status": .string(refusal.from), "action": .string(refusal.action)])
        case .validation(let failure):
            self = .validation(failure.problems)
        case .conflict(let code, let message):
            self.init(.conflict, code: code, detail: message)
        case .staleVersion(let current):
            self.init(
                .preconditionFailed, code: "precondition_failed",
                detail: "the resource changed: its current version is \(current)",
                extra: ["current_version": .number(JSONNumber(current))], headers: [.eTag: "\"\(current)\""])
        case .forbidden(let message):
            self.init(.forbidden, code: "forbidden", detail: message)
        }
    }
}

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

extension APIError {
    /// 403 `forbidden`: beyond the caller's role; `required_role` names the least role that may.
    static func forbidden(needs role: OperatorRole, _ detail: String, extra: [String: JSONValue] = [:]) -> APIError {
        var members = extra
        members["required_role"] = .string(role.rawValue)
        return APIError(.forbidden, code: "forbidden", detail: detail, extra: members)
    }

    /// The answer to a route the caller's role does not cover.
    init(_ refusal: AccessRules.Refusal, route: APIRoute?, role: OperatorRole) {
        let action = route.map { "\($0)" } ?? "this action"
        switch refusal {
        case .unknownRoute:
            self.init(.forbidden, code: "forbidden", detail: "\(action) has no access rule")
        case .needsRole(let needed):
            let roles = needed == .admin ? "the role admin" : "the role \(needed.rawValue) or admin"
            self = .forbidden(needs: needed, "\(action) needs \(roles); this operator is \(role.rawValue)")
        case .centralOnly(let needed):
            self = .forbidden(needs: needed, "this action is reserved to the central entity's operators (role \(needed.rawValue))")
        case .localOnly:
            self = .forbidden(needs: .local, "this action is reserved to local entities")
        }
    }

    /// The answer to an approval that four eyes or the package's reviewers refuse.
    init(_ refusal: ApprovalRules.Refusal) {
        switch refusal {
        case .fourEyes(let submitter):
            self.init(
                .forbidden, code: "four_eyes",
                detail: "\(submitter) submitted this package and may not decide on it: another operator must",
                extra: ["submitted_by": .string(submitter)])
        case .notAReviewer(let reviewers):
            self = .forbidden(
                needs: .admin, "only this package's reviewers (\(reviewers.joined(separator: ", "))) or an admin may decide on it",
                extra: ["reviewers": .array(reviewers.map(JSONValue.string))])
        }
    }
}

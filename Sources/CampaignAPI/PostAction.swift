import Crypto
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Postgres
import Store

/// Runs the work of a `POST` in one transaction, honouring `Idempotency-Key`: the same
/// key and body within 24 hours answers the first answer again and does nothing.
struct PostAction: Sendable {
    let store: Store

    func run(
        _ request: Request, _ context: APIContext, body: Data, status: HTTPResponse.Status,
        _ work: (StoreTransaction, Principal) async throws -> JSONValue
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        guard let key = request.headers.value(of: "Idempotency-Key") else {
            let value = try await store.transaction(for: principal) { try await work($0, principal) }
            return JSONResponse.make(status, value)
        }
        // Counted in code points, as the database's CHECK counts them.
        guard (1...255).contains(key.unicodeScalars.count), !key.unicodeScalars.contains("\u{0}") else {
            throw APIError.validation([FieldProblem(field: "Idempotency-Key", message: "must be 1 to 255 characters")])
        }
        var hasher = SHA256()
        hasher.update(data: Data("\(request.method.rawValue) \(request.uri.path)\n".utf8))
        hasher.update(data: body)
        let requestHash = hasher.finalize().hexEncoded
        return try await store.transaction(for: principal) { transaction in
            switch try await transaction.idempotency.claim(
                principal: principal.actorName, key: key, requestHash: requestHash)
            {
            case .replay(let storedStatus, let storedBody):
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                if let replayed = HTTPField.Name("Idempotent-Replayed") { headers[replayed] = "true" }
                return Response(
                    status: HTTPResponse.Status(code: storedStatus), headers: headers,
                    body: ResponseBody(byteBuffer: ByteBuffer(string: storedBody)))
            case .mismatch:
                throw APIError(
                    .unprocessableContent, code: "idempotency_key_reused",
                    detail: "this Idempotency-Key was used for a different request")
            case .new:
                let value = try await work(transaction, principal)
                let encoded = value.serialized
                try await transaction.idempotency.complete(
                    principal: principal.actorName, key: key, status: status.code,
                    body: String(decoding: encoded, as: UTF8.self))
                return JSONResponse.make(status, value)
            }
        }
    }
}

extension HTTPFields {
    /// A header by its name, case-insensitively.
    func value(of name: String) -> String? {
        guard let fieldName = HTTPField.Name(name) else { return nil }
        return self[fieldName]
    }
}

extension Request {
    /// The version named by `If-Match` (`"3"`, `W/"3"` or `3`), or `nil` when absent.
    func expectedVersion() throws -> Int? {
        guard let header = headers[.ifMatch] else { return nil }
        var text = header.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("W/") { text.removeFirst(2) }
        text = text.trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        guard let version = Int(text) else {
            throw APIError(
                .badRequest, code: "bad_request", detail: "If-Match must be a version in quotes, as the ETag header gives it")
        }
        return version
    }
}

import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Mustache

/// How every page of the console is answered: rendered from its template, `text/html`,
/// with a Content-Security-Policy that allows this origin's files only (no inline script
/// or style, no third party), and headers that keep it out of caches and frames.
enum ConsolePage {
    static let securityHeaders: HTTPFields = {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        headers[.xContentTypeOptions] = "nosniff"
        if let referrer = HTTPField.Name("Referrer-Policy") { headers[referrer] = "same-origin" }
        headers[.cacheControl] = "no-store"
        if let frameOptions = HTTPField.Name("X-Frame-Options") { headers[frameOptions] = "DENY" }
        return headers
    }()

    static func render(
        _ template: String, _ data: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:],
        library templates: Result<MustacheLibrary, any Error> = ConsoleTemplates.library
    ) -> Response {
        var fields = securityHeaders
        guard case .success(let library) = templates, let html = library.render(data, withTemplate: template) else {
            fields[.contentType] = "text/plain; charset=utf-8"
            return Response(
                status: .internalServerError, headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(string: "this page cannot be shown (its template \(template) is broken)")))
        }
        fields[.contentType] = "text/html; charset=utf-8"
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }

    /// 303 to `location` (after a POST, or to the sign-in).
    static func redirect(_ location: String, headers: HTTPFields = [:]) -> Response {
        var fields = securityHeaders
        fields[.location] = location
        fields.append(contentsOf: headers)
        return Response(status: .seeOther, headers: fields)
    }

}

/// An `application/x-www-form-urlencoded` body: each name with its values, in order.
struct FormBody: Sendable {
    let fields: [(name: String, value: String)]

    init(_ data: Data) {
        let text = String(decoding: data, as: UTF8.self)
        fields = text.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let halves = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                let spaced = part.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(halves[0]), halves.count > 1 ? decode(halves[1]) : "")
        }
    }

    subscript(_ name: String) -> String? { fields.first { $0.name == name }?.value }

    /// Every value of a repeated field (checkboxes of one name), in order.
    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// A JSON text area (`settings`, `parameters`) as the API's member: `{}` when empty,
    /// else its JSON (the API's decoder judges its kind), or the problem of text that is not JSON.
    func json(_ name: String, example: String) -> Result<JSONValue, ValidationFailure> {
        let text = (self[name] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return .success(.object([:])) }
        guard let parsed = try? JSONValue(parsing: Array(text.utf8)) else {
            return .failure(ValidationFailure(problems: [FieldProblem(field: name, message: "must be a JSON object, such as \(example)")]))
        }
        return .success(parsed)
    }
}

/// The cookies of a request, by name (each ``PageSurface`` names its own).
struct Cookies {
    static func value(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == name { return String(pair[1]) }
            }
        }
        return nil
    }

    /// `Set-Cookie` for `name`: HttpOnly, SameSite=Lax, Path=/, Secure when asked; an empty
    /// value with `Max-Age=0` removes it.
    static func set(_ name: String, _ value: String, secure: Bool, maxAge: Int? = nil) -> HTTPFields {
        var text = "\(name)=\(value); Path=/; HttpOnly; SameSite=Lax"
        if secure { text += "; Secure" }
        if let maxAge { text += "; Max-Age=\(maxAge)" }
        return [.setCookie: text]
    }
}

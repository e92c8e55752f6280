import Domain
import Foundation
import Hummingbird

/// JSON bodies out.
enum JSONResponse {
    static func make(
        _ status: HTTPResponse.Status, _ value: JSONValue, contentType: String = "application/json",
        headers: HTTPFields = [:]
    ) -> Response {
        var fields = headers
        fields[.contentType] = contentType
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.serialized)))
    }

    /// `{"items": [...], "next_cursor": ...}`
    static func page(_ items: [JSONValue], nextCursor: String?) -> JSONValue {
        .object(["items": .array(items), "next_cursor": nextCursor.map(JSONValue.string) ?? .null])
    }
}

extension JSONValue {
    static func id(_ value: Int) -> JSONValue { .string(String(value)) }
    static func id(_ value: Int?) -> JSONValue { value.map { .string(String($0)) } ?? .null }
    static func date(_ value: Date?) -> JSONValue { value.map { .string(RFC3339.format($0)) } ?? .null }
    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
    static func int(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
}

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

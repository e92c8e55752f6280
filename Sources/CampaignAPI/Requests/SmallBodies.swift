import Domain

/// `{comment?}`: the body of a package or order action. Whether the action needs a
/// comment is Domain's rule (`CommentRules`), checked where the action is decided.
struct CommentBody: Decodable, Sendable {
    var comment: String?
}

/// A body that must be empty (`{}` or nothing).
struct EmptyBody: Decodable, Sendable {}

/// `POST /v1/packages/{id}/orders` (label required) and `PATCH /v1/orders/{id}`.
struct OrderBody: CreationBody {
    var label: String?
    var comment: String?
    var parameters: [String: JSONValue]?

    static let requiredOnCreate = ["label"]
}

/// `POST /v1/entities`.
struct EntityBody: Decodable, Sendable, RequiredFields {
    var code: String?
    var label: String?

    static let requiredFields = ["code", "label"]
}

/// `POST /v1/packages/{id}/processes`.
struct ProcessBody: Decodable, Sendable, RequiredFields {
    var kind: String?
    var name: String?

    static let requiredFields = ["kind", "name"]
}

/// `PATCH /v1/processes/{id}`.
struct ProcessStatusBody: Decodable, Sendable, RequiredFields {
    var status: String?

    static let requiredFields = ["status"]
}

/// `POST /v1/notifications/ack`.
struct AcknowledgementBody: Decodable, Sendable, RequiredFields {
    var cursor: Int?

    static let requiredFields = ["cursor"]
}

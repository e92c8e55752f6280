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

/// `POST /v1/operators`.
struct OperatorBody: Decodable, Sendable, RequiredFields {
    var name: String?
    var role: OperatorRole?
    var entity: String?
    var displayName: String?

    enum CodingKeys: String, CodingKey {
        case name, role, entity
        case displayName = "display_name"
    }

    static let requiredFields = ["name", "role"]
}

/// `PATCH /v1/operators/{name}`: `display_name: null` clears it; `role` and `disabled`
/// set to `null` are left as they are.
struct OperatorPatchBody: Decodable, Sendable {
    var role: OperatorRole?
    var displayName: Patch<String>?
    var disabled: Bool?

    enum CodingKeys: String, CodingKey {
        case role, disabled
        case displayName = "display_name"
    }
}

/// `PUT /v1/operators/{name}/password`.
struct PasswordBody: Decodable, Sendable, RequiredFields {
    var password: String?
    var currentPassword: String?

    enum CodingKeys: String, CodingKey {
        case password
        case currentPassword = "current_password"
    }

    static let requiredFields = ["password"]
}

/// `PATCH /v1/entities/{code}`: members set to `null` are left as they are.
struct EntityPatchBody: Decodable, Sendable {
    var label: String?
    var tags: [String]?
    var disabled: Bool?
}

/// An id in a body: its decimal string, as the API writes ids, or a whole number.
struct ResourceID: Decodable, Sendable, Hashable, FieldExpectation {
    var value: Int

    static var expectation: String { "an id" }
    static func problem(found value: JSONValue) -> String { "must be an id: a positive whole number or its decimal string" }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self), number > 0 {
            value = number
        } else if let text = try? container.decode(String.self), let number = Int(text), number > 0 {
            value = number
        } else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected an id"))
        }
    }
}

/// Any member name of a JSON object.
struct MemberName: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// `POST /v1/packages/{id}/duplicate`.
struct DuplicateBody: Decodable, Sendable {
    var label: String?
}

/// `POST /v1/orders/bulk`.
struct BulkOrdersBody: Decodable, Sendable, RequiredFields {
    var action: BulkOrderAction?
    var ids: [ResourceID]?
    var filter: Filter?
    var comment: String?

    /// The orders matching every criterion given; a member it does not know is refused.
    struct Filter: Decodable, Sendable, FieldExpectation {
        var package: ResourceID?
        var entity: String?
        var status: [OrderStatus]?

        enum CodingKeys: String, CodingKey {
            case package, entity, status
        }

        static var expectation: String { "an object" }
        static func problem(found value: JSONValue) -> String {
            guard case .object = value else { return "must be an object, not \(value.kindName)" }
            return "may only have package, entity and status"
        }

        init(from decoder: any Decoder) throws {
            let members = try decoder.container(keyedBy: MemberName.self)
            if members.allKeys.contains(where: { CodingKeys(stringValue: $0.stringValue) == nil }) {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown member"))
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            package = try container.decodeIfPresent(ResourceID.self, forKey: .package)
            entity = try container.decodeIfPresent(String.self, forKey: .entity)
            status = try container.decodeIfPresent([OrderStatus].self, forKey: .status)
        }
    }

    static let requiredFields = ["action"]
}

extension BulkOrderAction: WireEnumeration {}

/// `POST /v1/webhooks`.
struct WebhookBody: Decodable, Sendable, RequiredFields {
    var url: String?
    var kinds: [String]?

    static let requiredFields = ["url"]
}

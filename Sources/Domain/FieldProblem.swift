/// One thing wrong with one input field.
public struct FieldProblem: Equatable, Sendable, Codable {
    /// The field's HTTP name, in snake_case: `"label"`, `"visible_until"`.
    public let field: String
    /// What is wrong, to follow the field name: "must not be empty".
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}

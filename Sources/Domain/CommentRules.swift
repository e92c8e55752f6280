import Foundation

/// Rules for the free texts people write: comments on actions, descriptions.
public enum CommentRules {
    /// The most characters (Unicode code points, as PostgreSQL's `length()` counts) of a
    /// comment or a description.
    public static let maximumLength = 10_000

    /// A comment given with an action: required by some package actions (a cancel must say
    /// why), at most ``maximumLength`` characters. Returns the problems; empty means fine.
    public static func check(_ comment: String?, field: String = "comment", for action: PackageAction? = nil)
        -> [FieldProblem]
    {
        let text = comment ?? ""
        if let action, action.requiresComment, text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return [FieldProblem(field: field, message: "is required: a \(action.rawValue) needs a justifying comment")]
        }
        return checkLength(text, field: field)
    }

    /// A free text of at most ``maximumLength`` characters.
    public static func checkLength(_ text: String, field: String) -> [FieldProblem] {
        text.unicodeScalars.count > maximumLength
            ? [FieldProblem(field: field, message: "must be at most \(maximumLength) characters")] : []
    }
}

extension PackageAction {
    /// Whether the action must come with a justifying comment.
    public var requiresComment: Bool { self == .cancel }
}

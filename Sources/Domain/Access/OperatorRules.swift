/// What an operator's and an entity's fields must be (`../shared/API.md`, "Operators,
/// roles and sessions").
public enum OperatorRules {
    public static let passwordLengths = 12...1024
    public static let maximumTags = 32
    public static let maximumReviewers = 20

    /// 1 to 100 letters, digits, `_`, `.`, `@` or `-`, starting with a letter or digit: a
    /// name people type at sign-in and that journals show.
    public static func checkName(_ name: String, field: String = "name") -> [FieldProblem] {
        name.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}/) == nil
            ? [FieldProblem(field: field, message: "must be 1 to 100 letters, digits, '_', '.', '@' or '-', starting with a letter or digit")]
            : []
    }

    /// Counted in characters (what a person types), as the contract says.
    public static func checkPassword(_ password: String, field: String = "password") -> [FieldProblem] {
        passwordLengths.contains(password.count)
            ? []
            : [FieldProblem(field: field, message: "must be \(passwordLengths.lowerBound) to \(passwordLengths.upperBound) characters")]
    }

    /// A local operator names its entity; a central one does not.
    public static func checkEntity(_ entity: String?, role: OperatorRole) -> [FieldProblem] {
        switch (role, entity) {
        case (.local, nil): [FieldProblem(field: "entity", message: "is required for a local operator")]
        case (.local, _?), (_, nil): []
        case (_, _?): [FieldProblem(field: "entity", message: "is only for a local operator")]
        }
    }

    /// Tags as stored: each checked, duplicates dropped, sorted.
    public static func normalizedTags(_ tags: [String], field: String = "tags") -> Result<[String], ValidationFailure> {
        var problems: [FieldProblem] = []
        for tag in tags where tag.wholeMatch(of: /[a-z0-9][a-z0-9_-]{0,39}/) == nil {
            problems.append(
                FieldProblem(field: field, message: "'\(tag)' must be 1 to 40 lowercase letters, digits, '_' or '-', starting with a letter or digit"))
        }
        let unique = Array(Set(tags)).sorted()
        if unique.count > maximumTags { problems.append(FieldProblem(field: field, message: "must have at most \(maximumTags) tags")) }
        return problems.isEmpty ? .success(unique) : .failure(ValidationFailure(problems: problems))
    }
}

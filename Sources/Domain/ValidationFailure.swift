/// Input that cannot be accepted, with every problem found (not only the first).
public struct ValidationFailure: Error, Equatable, Sendable, CustomStringConvertible {
    /// The problems, in the order they were found.
    public let problems: [FieldProblem]

    public init(problems: [FieldProblem]) {
        self.problems = problems
    }

    /// Throws a failure carrying `problems` unless there are none.
    public static func throwIfAny(_ problems: [FieldProblem]) throws(ValidationFailure) {
        if !problems.isEmpty { throw ValidationFailure(problems: problems) }
    }

    /// "label: must not be empty; visible_until: must not be before visible_from".
    public var description: String {
        problems.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }
}

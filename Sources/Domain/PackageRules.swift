import Foundation

/// Input rules for campaign packages, returning problems rather than throwing so that
/// a caller can gather every problem of a request into one ``ValidationFailure``.
public enum PackageRules {
    /// The most characters a label may have, counted as Unicode code points: the way
    /// PostgreSQL's `length()` counts, which the schema's CHECK constraints use.
    public static let maximumLabelLength = 200

    /// Checks a label-like text: non-empty after trimming whitespace, at most 200 characters.
    ///
    /// The length is that of `value` as given, in code points. Returns the problems; empty means fine.
    public static func checkLabel(_ value: String, field: String) -> [FieldProblem] {
        if value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return [FieldProblem(field: field, message: "must not be empty")]
        }
        if value.unicodeScalars.count > maximumLabelLength {
            return [FieldProblem(field: field, message: "must be at most \(maximumLabelLength) characters")]
        }
        return []
    }

    /// Checks that the dates are consistent, each rule only when both of its dates are present:
    /// visible_from ≤ visible_until, available_at ≤ order_deadline, approval_deadline ≤ available_at,
    /// available_at ≤ visible_until, order_deadline ≤ visible_until.
    ///
    /// A problem names the later field: `visible_until` "must not be before visible_from".
    public static func checkSchedule(_ schedule: PackageSchedule) -> [FieldProblem] {
        let orderings: [(earlierField: String, earlier: Date?, laterField: String, later: Date?)] = [
            ("visible_from", schedule.visibleFrom, "visible_until", schedule.visibleUntil),
            ("available_at", schedule.availableAt, "order_deadline", schedule.orderDeadline),
            ("approval_deadline", schedule.approvalDeadline, "available_at", schedule.availableAt),
            ("available_at", schedule.availableAt, "visible_until", schedule.visibleUntil),
            ("order_deadline", schedule.orderDeadline, "visible_until", schedule.visibleUntil),
        ]
        return orderings.compactMap { earlierField, earlier, laterField, later in
            guard let earlier, let later, later < earlier else { return nil }
            return FieldProblem(field: laterField, message: "must not be before \(earlierField)")
        }
    }
}

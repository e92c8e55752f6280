import Domain
import Foundation
import Testing

@Suite struct LabelRuleTests {
    static let empty = [FieldProblem(field: "label", message: "must not be empty")]
    static let tooLong = [FieldProblem(field: "label", message: "must be at most 200 characters")]

    @Test(arguments: [
        ("", empty),
        (" ", empty),
        (" \t\n\u{00A0}\u{2003} ", empty),
        ("x", []),
        ("  Spring sale  ", []),
        (String(repeating: "a", count: 200), []),
        (String(repeating: "a", count: 201), tooLong),
        // "e" + combining acute accent: two code points (as PostgreSQL counts), one character.
        (String(repeating: "e\u{301}", count: 100), []),
        (String(repeating: "e\u{301}", count: 101), tooLong),
        // A family emoji: five code points, one character.
        (String(repeating: "👨‍👩‍👧", count: 40), []),
        (String(repeating: "👨‍👩‍👧", count: 41), tooLong),
        (String(repeating: "日", count: 200), []),
        // The length counts the text as given, surrounding spaces included.
        (" " + String(repeating: "a", count: 200), tooLong),
    ])
    func label(value: String, expected: [FieldProblem]) {
        #expect(PackageRules.checkLabel(value, field: "label") == expected)
    }

    @Test func problemNamesTheFieldChecked() {
        #expect(PackageRules.checkLabel(" ", field: "campaign_name")
            == [FieldProblem(field: "campaign_name", message: "must not be empty")])
        #expect(PackageRules.maximumLabelLength == 200)
    }
}

private let early = referenceDate
private let late = referenceDate + 60

@Suite struct ScheduleRuleTests {
    @Test(arguments: [
        (PackageSchedule(visibleFrom: late, visibleUntil: early), "visible_until", "must not be before visible_from"),
        (PackageSchedule(availableAt: late, orderDeadline: early), "order_deadline", "must not be before available_at"),
        (PackageSchedule(availableAt: early, approvalDeadline: late), "available_at", "must not be before approval_deadline"),
        (PackageSchedule(visibleUntil: early, availableAt: late), "visible_until", "must not be before available_at"),
        (PackageSchedule(visibleUntil: early, orderDeadline: late), "visible_until", "must not be before order_deadline"),
    ])
    func eachRuleAlone(schedule: PackageSchedule, field: String, message: String) {
        #expect(PackageRules.checkSchedule(schedule) == [FieldProblem(field: field, message: message)])
    }

    @Test(arguments: [
        PackageSchedule(visibleFrom: early, visibleUntil: early),
        PackageSchedule(availableAt: early, orderDeadline: early),
        PackageSchedule(availableAt: early, approvalDeadline: early),
        PackageSchedule(visibleUntil: early, availableAt: early),
        PackageSchedule(visibleUntil: early, orderDeadline: early),
        PackageSchedule(visibleFrom: early, visibleUntil: late),
        PackageSchedule(availableAt: early, orderDeadline: late),
        PackageSchedule(availableAt: late, approvalDeadline: early),
        PackageSchedule(visibleUntil: late, availableAt: early),
        PackageSchedule(visibleUntil: late, orderDeadline: early),
    ])
    func equalOrOrderedDatesAreFine(schedule: PackageSchedule) {
        #expect(PackageRules.checkSchedule(schedule).isEmpty)
    }

    @Test func datesWithoutAPartnerAreNotCompared() {
        // visible_from after order_deadline is no rule; lone dates are never checked.
        #expect(PackageRules.checkSchedule(PackageSchedule(visibleFrom: late, orderDeadline: early)).isEmpty)
        #expect(PackageRules.checkSchedule(PackageSchedule(approvalDeadline: late)).isEmpty)
        #expect(PackageRules.checkSchedule(PackageSchedule()).isEmpty)
    }

    @Test func everyBrokenRuleIsReported() {
        let backwards = PackageSchedule(
            visibleFrom: referenceDate + 40, visibleUntil: referenceDate, availableAt: referenceDate + 20,
            orderDeadline: referenceDate + 10, approvalDeadline: referenceDate + 30)
        #expect(PackageRules.checkSchedule(backwards) == [
            FieldProblem(field: "visible_until", message: "must not be before visible_from"),
            FieldProblem(field: "order_deadline", message: "must not be before available_at"),
            FieldProblem(field: "available_at", message: "must not be before approval_deadline"),
            FieldProblem(field: "visible_until", message: "must not be before available_at"),
            FieldProblem(field: "visible_until", message: "must not be before order_deadline"),
        ])
    }
}

@Suite struct ValidationFailureTests {
    @Test func descriptionListsEveryProblem() {
        let failure = ValidationFailure(problems: [
            FieldProblem(field: "label", message: "must not be empty"),
            FieldProblem(field: "visible_until", message: "must not be before visible_from"),
        ])
        #expect(failure.description == "label: must not be empty; visible_until: must not be before visible_from")
    }

    @Test func throwsOnlyWhenThereAreProblems() throws {
        try ValidationFailure.throwIfAny([])
        let problems = PackageRules.checkLabel("", field: "label")
        #expect(throws: ValidationFailure(problems: problems)) {
            try ValidationFailure.throwIfAny(problems)
        }
    }
}

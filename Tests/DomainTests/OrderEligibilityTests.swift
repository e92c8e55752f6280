import Domain
import Foundation
import Testing

/// The inputs of an eligibility check; the defaults describe an entity that can order.
struct OrderAttempt: Sendable, CustomTestStringConvertible {
    var status: PackageStatus = .published
    var schedule = PackageSchedule(
        visibleFrom: referenceDate - 100, visibleUntil: referenceDate + 100, availableAt: referenceDate - 50,
        orderDeadline: referenceDate + 50)
    var hasPendingJob = false
    var inAudience = true
    var existingOrders = 0
    var allowsSeveralOrders = false
    var now = referenceDate
    var label = "can order"

    func with(_ label: String, _ change: (inout OrderAttempt) -> Void) -> OrderAttempt {
        var attempt = self
        change(&attempt)
        attempt.label = label
        return attempt
    }

    func check() -> OrderEligibility.Refusal? {
        OrderEligibility.check(
            status: status, hasPendingJob: hasPendingJob, schedule: schedule, inAudience: inAudience,
            existingOrders: existingOrders, allowsSeveralOrders: allowsSeveralOrders, now: now)
    }

    var testDescription: String { label }
}

@Suite struct OrderEligibilityTests {
    static let fine = OrderAttempt()

    @Test(arguments: [
        (fine, nil),
        (fine.with("pending approval") { $0.status = .pendingApproval }, .notPublished),
        (fine.with("cancel pending") { $0.hasPendingJob = true }, .jobPending),
        (fine.with("outside audience") { $0.inAudience = false }, .notInAudience),
        (fine.with("before visible_from") { $0.now = referenceDate - 101 }, .notVisible),
        (fine.with("after visible_until") { $0.now = referenceDate + 101 }, .notVisible),
        (fine.with("before available_at") { $0.now = referenceDate - 51 }, .notYetAvailable),
        (fine.with("after order_deadline") { $0.now = referenceDate + 51 }, .deadlinePassed),
        (fine.with("second order") { $0.existingOrders = 1 }, .alreadyOrdered),
        (fine.with("second order allowed") { $0.existingOrders = 3; $0.allowsSeveralOrders = true }, nil),
        (fine.with("at visible_from and available_at") {
            $0.schedule.visibleFrom = referenceDate; $0.schedule.availableAt = referenceDate
        }, nil),
        (fine.with("at order_deadline and visible_until") {
            $0.schedule.orderDeadline = referenceDate; $0.schedule.visibleUntil = referenceDate
        }, nil),
        (fine.with("no dates") { $0.schedule = PackageSchedule(); $0.now = .distantFuture }, nil),
    ] as [(OrderAttempt, OrderEligibility.Refusal?)])
    func eachRefusal(attempt: OrderAttempt, expected: OrderEligibility.Refusal?) {
        #expect(attempt.check() == expected)
    }

    @Test(arguments: [
        (PackageStatus.beingEdited, OrderEligibility.Refusal.notPublished),
        (.pendingApproval, .notPublished),
        (.approved, .notPublished),
        (.rejected, .notPublished),
        (.published, nil),
        (.cancelled, .notPublished),
    ] as [(PackageStatus, OrderEligibility.Refusal?)])
    func onlyPublishedPackagesCanBeOrdered(status: PackageStatus, expected: OrderEligibility.Refusal?) {
        #expect(Self.fine.with(status.rawValue) { $0.status = status }.check() == expected)
    }

    /// Everything wrong at once, then righted one thing at a time: the refusal is always the
    /// first wrong thing in the documented order.
    static let allWrong = fine.with("everything wrong") {
        $0.status = .cancelled
        $0.inAudience = false
        // Before visible_from and available_at, after order_deadline: dates no real package has.
        $0.schedule = PackageSchedule(
            visibleFrom: referenceDate + 10, availableAt: referenceDate + 10, orderDeadline: referenceDate - 10)
        $0.existingOrders = 1
        $0.hasPendingJob = true
    }

    @Test(arguments: [
        (allWrong, .notPublished),
        (allWrong.with("published") { $0.status = .published }, .jobPending),
        (allWrong.with("published, no job") { $0.status = .published; $0.hasPendingJob = false }, .notInAudience),
        (allWrong.with("published, in audience") {
            $0.status = .published; $0.hasPendingJob = false; $0.inAudience = true
        }, .notVisible),
        (allWrong.with("published, in audience, visible") {
            $0.status = .published; $0.hasPendingJob = false; $0.inAudience = true; $0.schedule.visibleFrom = nil
        }, .notYetAvailable),
        (allWrong.with("published, in audience, visible, available") {
            $0.status = .published; $0.hasPendingJob = false; $0.inAudience = true; $0.schedule.visibleFrom = nil; $0.schedule.availableAt = nil
        }, .deadlinePassed),
        (allWrong.with("only the earlier order left") {
            $0.status = .published; $0.hasPendingJob = false; $0.inAudience = true; $0.schedule = PackageSchedule()
        }, .alreadyOrdered),
    ] as [(OrderAttempt, OrderEligibility.Refusal?)])
    func refusalsComeInTheDocumentedOrder(attempt: OrderAttempt, expected: OrderEligibility.Refusal?) {
        #expect(attempt.check() == expected)
    }

    @Test(arguments: [
        (OrderEligibility.Refusal.notPublished, "not_published"),
        (.jobPending, "job_pending"),
        (.notVisible, "not_visible"),
        (.notYetAvailable, "not_yet_available"),
        (.deadlinePassed, "deadline_passed"),
        (.notInAudience, "not_in_audience"),
        (.alreadyOrdered, "already_ordered"),
    ])
    func refusalCodes(refusal: OrderEligibility.Refusal, code: String) {
        #expect(refusal.rawValue == code)
    }

    /// What is not in the catalogue does not exist for the entity (404); the rest is a 409.
    @Test func refusalsThatHideThePackage() {
        let hidden = OrderEligibility.Refusal.allCases.filter(\.hidesThePackage)
        #expect(Set(hidden) == [.notPublished, .jobPending, .notInAudience, .notVisible])
    }
}

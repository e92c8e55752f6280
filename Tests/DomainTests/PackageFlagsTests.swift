import Domain
import Foundation
import Testing

/// A fixed instant the date tests count from.
let referenceDate = Date(timeIntervalSinceReferenceDate: 800_000_000)

@Suite struct PackageFlagsTests {
    /// Every date one second behind `now`.
    static let allDatesPast = PackageSchedule(
        visibleFrom: referenceDate, visibleUntil: referenceDate, availableAt: referenceDate,
        orderDeadline: referenceDate, approvalDeadline: referenceDate)

    @Test(arguments: [
        (PackageStatus.beingEdited, false),
        (.pendingApproval, true),
        (.approved, true),
        (.rejected, false),
        (.published, false),
        (.cancelled, false),
    ])
    func lateOnlyWhilePendingOrApproved(status: PackageStatus, expected: Bool) {
        #expect(PackageFlags.isLate(status: status, schedule: Self.allDatesPast, now: referenceDate + 1) == expected)
    }

    @Test(arguments: [
        (PackageStatus.beingEdited, false),
        (.pendingApproval, false),
        (.approved, false),
        (.rejected, false),
        (.published, true),
        (.cancelled, false),
    ])
    func unavailableOnlyWhilePublished(status: PackageStatus, expected: Bool) {
        #expect(PackageFlags.isUnavailable(status: status, schedule: Self.allDatesPast, now: referenceDate + 1) == expected)
    }

    /// Seconds from the date to `now`, and whether the date is past: exactly at it is not.
    static let boundaries: [(TimeInterval, Bool)] = [(-1, false), (0, false), (0.001, true), (1, true)]

    @Test(arguments: boundaries)
    func pendingApprovalIsLatePastApprovalDeadline(offset: TimeInterval, expected: Bool) {
        let schedule = PackageSchedule(approvalDeadline: referenceDate)
        #expect(PackageFlags.isLate(status: .pendingApproval, schedule: schedule, now: referenceDate + offset) == expected)
    }

    @Test(arguments: boundaries)
    func approvedIsLatePastAvailableAt(offset: TimeInterval, expected: Bool) {
        let schedule = PackageSchedule(availableAt: referenceDate)
        #expect(PackageFlags.isLate(status: .approved, schedule: schedule, now: referenceDate + offset) == expected)
    }

    @Test(arguments: boundaries)
    func publishedIsUnavailablePastVisibleUntil(offset: TimeInterval, expected: Bool) {
        let schedule = PackageSchedule(visibleUntil: referenceDate)
        #expect(PackageFlags.isUnavailable(status: .published, schedule: schedule, now: referenceDate + offset) == expected)
    }

    @Test func eachStatusWatchesItsOwnDate() {
        let later = referenceDate + 1
        // Pending approval ignores available_at; approved ignores approval_deadline.
        #expect(!PackageFlags.isLate(status: .pendingApproval, schedule: .init(availableAt: referenceDate), now: later))
        #expect(!PackageFlags.isLate(status: .approved, schedule: .init(approvalDeadline: referenceDate), now: later))
        // Published ignores every date but visible_until.
        let allButVisibleUntil = PackageSchedule(
            visibleFrom: referenceDate, availableAt: referenceDate,
            orderDeadline: referenceDate, approvalDeadline: referenceDate)
        #expect(!PackageFlags.isUnavailable(status: .published, schedule: allButVisibleUntil, now: later))
    }

    @Test(arguments: PackageStatus.allCases)
    func missingDatesAreNeverPast(status: PackageStatus) {
        let distantFuture = Date.distantFuture
        #expect(!PackageFlags.isLate(status: status, schedule: PackageSchedule(), now: distantFuture))
        #expect(!PackageFlags.isUnavailable(status: status, schedule: PackageSchedule(), now: distantFuture))
    }
}

import CivilTime
import Domain
import Foundation
import Testing

/// The raw values are stored in SQL and sent over HTTP: they must never drift.
@Suite struct WireNameTests {
    @Test(arguments: [
        (PackageStatus.beingEdited, "being_edited"),
        (.pendingApproval, "pending_approval"),
        (.approved, "approved"),
        (.rejected, "rejected"),
        (.published, "published"),
        (.cancelled, "cancelled"),
    ])
    func packageStatus(status: PackageStatus, name: String) throws {
        #expect(status.rawValue == name)
        #expect(try JSONEncoder().encode(status) == Data("\"\(name)\"".utf8))
        #expect(try JSONDecoder().decode(PackageStatus.self, from: Data("\"\(name)\"".utf8)) == status)
    }

    @Test(arguments: [
        (OrderStatus.pendingApproval, "pending_approval"),
        (.approved, "approved"),
        (.rejected, "rejected"),
        (.cancelled, "cancelled"),
    ])
    func orderStatus(status: OrderStatus, name: String) throws {
        #expect(status.rawValue == name)
        #expect(try JSONDecoder().decode(OrderStatus.self, from: Data("\"\(name)\"".utf8)) == status)
    }

    @Test func otherNames() {
        #expect(PackageType.allCases.map(\.rawValue) == ["local", "collaborative"])
        #expect(ApprovalMode.allCases.map(\.rawValue) == ["manual", "automatic"])
        #expect(ActorRole.allCases.map(\.rawValue) == ["central", "local"])
        #expect(PackageAction.allCases.map(\.rawValue)
            == ["edit", "submit", "approve", "reject", "publish", "cancel", "reinitialize"])
        #expect(OrderAction.allCases.map(\.rawValue) == ["edit", "approve", "reject", "cancel"])
    }

    @Test func scheduleRoundTripsThroughJSON() throws {
        let schedule = PackageSchedule(visibleFrom: referenceDate, orderDeadline: referenceDate + 60)
        let decoded = try JSONDecoder().decode(PackageSchedule.self, from: JSONEncoder().encode(schedule))
        #expect(decoded == schedule)
    }
}

@Suite struct RFC3339RangeTests {
    @Test(arguments: [
        "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01",
        "9999-12-31T23:59:59.9999995Z", "10000-01-01T00:00:00Z",
    ])
    func timestampsPostgreSQLCannotHoldAreRefused(text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test(arguments: ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z", "2026-11-29T12:00:00.5+02:00"])
    func timestampsWithinRangeAreRead(text: String) {
        #expect(RFC3339.parse(text) != nil)
    }
}

@Suite struct RFC3339DisplayTests {
    /// Values a DBA can store beyond RFC 3339 are shown, in the forms openapi.yaml names.
    @Test func valuesBeyondRFC3339AreShownNotRefused() {
        #expect(RFC3339.format(Date(timeIntervalSince1970: .infinity)) == "infinity")
        #expect(RFC3339.format(Date(timeIntervalSince1970: -.infinity)) == "-infinity")
        let year10000 = Double(CivilDate.days(year: 10_000, month: 1, day: 1) * 86_400)
        #expect(RFC3339.format(Date(timeIntervalSince1970: year10000)) == "+10000-01-01T00:00:00.000Z")
        let yearZero = Double(CivilDate.days(year: 0, month: 6, day: 1) * 86_400)
        #expect(RFC3339.format(Date(timeIntervalSince1970: yearZero)) == "+0000-06-01T00:00:00.000Z")
        let bc44 = Double(CivilDate.days(year: -43, month: 3, day: 15) * 86_400)
        #expect(RFC3339.format(Date(timeIntervalSince1970: bc44)) == "-0043-03-15T00:00:00.000Z")
        // Past PostgreSQL's last instant (a Double's rounding), the last instant.
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1e13)) == "+294276-12-31T23:59:59.999Z")
    }
}

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

import Foundation

/// The dates of a campaign package. Each is optional; a missing date never restricts anything.
public struct PackageSchedule: Codable, Equatable, Sendable {
    /// Shown in the catalogue from this date.
    public var visibleFrom: Date?
    /// Shown in the catalogue until this date.
    public var visibleUntil: Date?
    /// Orders are allowed from this date; an approved package is published automatically then.
    public var availableAt: Date?
    /// Last moment an order can be placed.
    public var orderDeadline: Date?
    /// The package should be approved by this date.
    public var approvalDeadline: Date?

    public init(
        visibleFrom: Date? = nil, visibleUntil: Date? = nil, availableAt: Date? = nil,
        orderDeadline: Date? = nil, approvalDeadline: Date? = nil
    ) {
        self.visibleFrom = visibleFrom
        self.visibleUntil = visibleUntil
        self.availableAt = availableAt
        self.orderDeadline = orderDeadline
        self.approvalDeadline = approvalDeadline
    }
}

extension Optional where Wrapped == Date {
    /// True when the date is set and `now` is strictly after it: exactly at the date is not past.
    func isPast(at now: Date) -> Bool {
        guard let date = self else { return false }
        return now > date
    }

    /// True when the date is set and `now` is strictly before it.
    func isAhead(at now: Date) -> Bool {
        guard let date = self else { return false }
        return now < date
    }
}

import Foundation

/// Can `entity` order this package now? Returns nil when it can, else a refusal reason (for a 409 / 422).
public enum OrderEligibility {
    /// Why an order cannot be placed. The raw values are stable machine codes.
    public enum Refusal: String, Sendable, Equatable, CaseIterable {
        /// The package is not published.
        case notPublished = "not_published"
        /// A cancel or reinitialize job of the package is pending.
        case jobPending = "job_pending"
        /// The package is shown before visible_from or after visible_until.
        case notVisible = "not_visible"
        /// Orders open at available_at, which is still ahead.
        case notYetAvailable = "not_yet_available"
        /// order_deadline has passed.
        case deadlinePassed = "deadline_passed"
        /// The entity is not in the package's audience.
        case notInAudience = "not_in_audience"
        /// The entity already ordered this revision and the package allows only one order.
        case alreadyOrdered = "already_ordered"

        /// Whether the refusal means the package is not in the entity's catalogue now. Such
        /// a package does not exist for the entity: the order is answered 404, as for a
        /// missing id, so that an entity cannot tell packages it may not see from none.
        public var hidesThePackage: Bool {
            switch self {
            case .notPublished, .jobPending, .notInAudience, .notVisible: true
            case .notYetAvailable, .deadlinePassed, .alreadyOrdered: false
            }
        }
    }

    /// The first reason `entity` cannot order now, or nil when it can.
    ///
    /// Checked in this order: not published, job pending, not in audience, not visible,
    /// not yet available, deadline passed, already ordered. Every date bound is inclusive: an
    /// order exactly at `order_deadline` is accepted. `existingOrders` counts the entity's
    /// live orders of the current revision, as the caller sees fit.
    public static func check(
        status: PackageStatus, hasPendingJob: Bool, schedule: PackageSchedule, inAudience: Bool,
        existingOrders: Int, allowsSeveralOrders: Bool, now: Date
    ) -> Refusal? {
        if status != .published { return .notPublished }
        if hasPendingJob { return .jobPending }
        if !inAudience { return .notInAudience }
        if schedule.visibleFrom.isAhead(at: now) || schedule.visibleUntil.isPast(at: now) { return .notVisible }
        if schedule.availableAt.isAhead(at: now) { return .notYetAvailable }
        if schedule.orderDeadline.isPast(at: now) { return .deadlinePassed }
        if existingOrders > 0, !allowsSeveralOrders { return .alreadyOrdered }
        return nil
    }
}

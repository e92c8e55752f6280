import Foundation

/// Flags computed from a package's status and dates, never stored.
public enum PackageFlags {
    /// late = pending approval past approval_deadline, or approved (not yet published) past available_at.
    ///
    /// "Past" means strictly after; a missing date is never past.
    public static func isLate(status: PackageStatus, schedule: PackageSchedule, now: Date) -> Bool {
        switch status {
        case .pendingApproval: schedule.approvalDeadline.isPast(at: now)
        case .approved: schedule.availableAt.isPast(at: now)
        case .beingEdited, .rejected, .published, .cancelled: false
        }
    }

    /// unavailable = published past visible_until.
    ///
    /// "Past" means strictly after; a missing date is never past.
    public static func isUnavailable(status: PackageStatus, schedule: PackageSchedule, now: Date) -> Bool {
        status == .published && schedule.visibleUntil.isPast(at: now)
    }
}

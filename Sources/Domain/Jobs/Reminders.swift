import Foundation

/// A reminder of a deadline: what it tells, and whom.
public enum ReminderKind: String, Codable, Sendable, CaseIterable {
    /// `--reminder-lead` before the order deadline: a notification to each audience
    /// entity with no order of the current revision.
    case orderDeadlineNear = "order_deadline_near"
    /// At the order deadline: a central event.
    case orderDeadlineReached = "order_deadline_reached"
    /// `--reminder-lead` before the approval deadline of a pending package: a central
    /// event for its reviewers.
    case approvalReminder = "approval_reminder"
    /// At the approval deadline of a package still pending: a central event.
    case packageLate = "package_late"
}

/// A reminder job's payload: which reminder, for which value of its deadline.
public struct ReminderRequest: Codable, Sendable, Equatable {
    public var reminder: ReminderKind
    /// The deadline as it was when the reminder was scheduled, in Unix seconds (exact in
    /// JSON whatever the date coding); a job whose package's deadline has changed since
    /// does nothing.
    public var deadline: Int

    public init(reminder: ReminderKind, deadline: Date) {
        self.reminder = reminder
        self.deadline = Self.seconds(deadline)
    }

    /// Whether `date` is this request's deadline (to the second).
    public func isDeadline(_ date: Date?) -> Bool { date.map(Self.seconds) == deadline }

    static func seconds(_ date: Date) -> Int { Int(date.timeIntervalSince1970.rounded(.down)) }
}

/// One reminder a package should have queued.
public struct ScheduledReminder: Sendable, Equatable {
    public var request: ReminderRequest
    public var runAt: Date

    /// One job per package revision, reminder and deadline: rescheduling the same
    /// reminder finds its job, and a reminder sent is never sent again.
    public func uniqueKey(packageID: Int, revision: Int) -> String {
        "\(JobKind.deadlineReminder):\(request.reminder.rawValue):\(packageID):\(revision):\(request.deadline)"
    }
}

/// Which reminders a package should have queued, given its status and dates: the order
/// deadline's while it is approved or published, the approval deadline's while it is
/// pending approval, none otherwise (a cancel or a return to editing drops them).
public enum Reminders {
    public static let defaultLead: Duration = .seconds(86_400)

    public static func scheduled(status: PackageStatus, schedule: PackageSchedule, lead: Duration, now: Date)
        -> [ScheduledReminder]
    {
        func pair(_ deadline: Date?, near: ReminderKind, reached: ReminderKind) -> [ScheduledReminder] {
            guard let deadline else { return [] }
            var reminders: [ScheduledReminder] = []
            // Within the lead already: remind at once; past the deadline: no "near" any more.
            if now < deadline {
                let at = deadline.addingTimeInterval(-lead.seconds)
                reminders.append(ScheduledReminder(request: ReminderRequest(reminder: near, deadline: deadline), runAt: max(at, now)))
            }
            reminders.append(ScheduledReminder(request: ReminderRequest(reminder: reached, deadline: deadline), runAt: deadline))
            return reminders
        }
        switch status {
        case .approved, .published:
            return pair(schedule.orderDeadline, near: .orderDeadlineNear, reached: .orderDeadlineReached)
        case .pendingApproval:
            return pair(schedule.approvalDeadline, near: .approvalReminder, reached: .packageLate)
        case .beingEdited, .rejected, .cancelled:
            return []
        }
    }
}

extension Duration {
    /// Whole and fractional seconds (SQL intervals, date arithmetic).
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

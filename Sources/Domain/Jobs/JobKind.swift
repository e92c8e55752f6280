/// What a job does: the `kind` column of `central.jobs`, and the key that picks its
/// handler in the Jobs floor.
///
/// A struct with named constants rather than an enum: the queue must carry (and fail
/// cleanly) a kind this build has no handler for, written by a newer daemon or by hand,
/// and tests run kinds of their own. Adding a kind is one constant here and one handler
/// file in `Sources/Jobs/`.
public struct JobKind: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    /// Cancels a package and fans the cancel out (SPEC.md, "Cancel").
    public static let cancelPackage = JobKind("cancel_package")
    /// Brings a package back to `being_edited` as a new revision (SPEC.md, "Reinitialize").
    public static let reinitializePackage = JobKind("reinitialize_package")
    /// Publishes an approved package when its `available_at` comes.
    public static let publishPackage = JobKind("publish_package")
    /// Approves, rejects or cancels many orders at once (`POST /v1/orders/bulk`).
    public static let bulkOrders = JobKind("bulk_orders")
    /// Sends one deadline reminder when its time comes (``ReminderKind``).
    public static let deadlineReminder = JobKind("deadline_reminder")
    /// Does nothing: measures the queue itself (benchmarks).
    public static let noop = JobKind("noop")
}

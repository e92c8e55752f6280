import Domain
import Foundation
import Postgres

/// What a job's effects did, for its journal entry and for tests.
public struct JobEffects: Sendable, Equatable {
    /// False when there was nothing left to do (the job already ran, or was superseded).
    public var applied: Bool
    public var ordersCancelled = 0
    public var processesStopped = 0
    public var notificationsWritten = 0

    public static let nothing = JobEffects(applied: false)
}

/// The effects of cancel, reinitialize and scheduled publication: each is one set of
/// set-based statements in the caller's transaction, and each is idempotent: the
/// package's `pending_job_id` (or status and revision, for publication) tells whether
/// the job still has work to do, and notification rows carry event keys.
public struct PackageJobEffects: Sendable {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The package a cancel or reinitialize job still has to act on (locked), with the
    /// request's comment and requester; `nil` when the job already ran or was superseded.
    private func pendingAction(of job: Job) async throws -> (package: CampaignPackage, comment: String?, actor: String)? {
        guard let packageID = job.packageID else { return nil }
        let package = try await PackageRepository(connection: connection).require(packageID, lock: true)
        guard package.pendingJobID == job.id else { return nil }
        return (
            package, job.payload["comment"].flatMap(\.stringValue),
            job.payload["requested_by"].flatMap(\.stringValue) ?? "system:jobs"
        )
    }

    public func cancel(_ job: Job) async throws -> JobEffects {
        guard let (package, comment, actor) = try await pendingAction(of: job) else { return .nothing }
        let packageID = package.id
        var effects = JobEffects(applied: true)

        // Local package: pending orders are cancelled, approved ones stay.
        // Collaborative package: every order of the current revision is cancelled.
        let statuses = package.type == .local ? ["pending_approval"] : ["pending_approval", "approved", "rejected"]
        effects.ordersCancelled = try await cancelOrders(
            packageID: packageID, revisions: package.revision...package.revision, statuses: statuses,
            reason: "package_cancelled", comment: comment, actor: actor)
        if package.type == .collaborative {
            try await connection.query(
                "UPDATE central.reference_campaigns SET status = 'cancelled', updated_at = now() WHERE package_id = \(packageID)")
            effects.processesStopped = try await ProcessRepository(connection: connection).stopAll(
                packageID: packageID, archive: false)
        }
        try await connection.query(
            """
            UPDATE central.packages SET status = 'cancelled', pending_job_id = NULL, version = version + 1,
                updated_at = now(), updated_by = \(actor), last_action = 'cancel', last_action_at = now(),
                last_action_by = \(actor), last_action_comment = \(comment)
            WHERE id = \(packageID)
            """)
        try await journal(package, action: "cancel", actor: actor, comment: comment, job: job, effects: effects)

        let notifications = NotificationWriter(connection: connection)
        if package.type == .local {
            effects.notificationsWritten = try await notifications.notifyCancelledOrders(
                packageID: packageID, revision: package.revision, reason: "package_cancelled", comment: comment)
        } else {
            // Everyone concerned, once: the audience (or every entity) and whoever ordered.
            let audience: PostgresQuery =
                package.audience == nil
                ? "SELECT id AS entity_id FROM central.entities"
                : "SELECT entity_id FROM central.package_audience WHERE package_id = \(packageID)"
            effects.notificationsWritten = try await notifications.write(
                entities: """
                    \(audience)
                    UNION SELECT entity_id FROM local.orders WHERE package_id = \(packageID) AND revision = \(package.revision)
                    """,
                kind: "package_cancelled", packageID: packageID, orderID: nil, revision: package.revision,
                comment: comment, eventKey: "package_cancelled:\(packageID):\(package.revision)")
        }
        return effects
    }

    public func reinitialize(_ job: Job) async throws -> JobEffects {
        guard let (package, comment, actor) = try await pendingAction(of: job) else { return .nothing }
        let packageID = package.id
        var effects = JobEffects(applied: true)

        // Orders of this and earlier revisions become history: pending ones are cancelled.
        effects.ordersCancelled = try await cancelOrders(
            packageID: packageID, revisions: 1...package.revision, statuses: ["pending_approval"],
            reason: "package_reinitialized", comment: comment, actor: actor)
        if package.type == .collaborative {
            try await connection.query(
                "UPDATE central.reference_campaigns SET status = 'being_edited', updated_at = now() WHERE package_id = \(packageID)")
            effects.processesStopped = try await ProcessRepository(connection: connection).stopAll(
                packageID: packageID, archive: true)
        }
        try await connection.query(
            """
            UPDATE central.packages SET status = 'being_edited', revision = revision + 1, pending_job_id = NULL,
                version = version + 1, updated_at = now(), updated_by = \(actor), last_action = 'reinitialize',
                last_action_at = now(), last_action_by = \(actor), last_action_comment = \(comment)
            WHERE id = \(packageID)
            """)
        try await journal(package, action: "reinitialize", actor: actor, comment: comment, job: job, effects: effects)
        effects.notificationsWritten = try await NotificationWriter(connection: connection).notifyCancelledOrders(
            packageID: packageID, revision: nil, reason: "package_reinitialized", comment: comment)
        return effects
    }

    /// Publishes an approved package whose `available_at` has come (the job's run time).
    public func publish(_ job: Job) async throws -> JobEffects {
        guard let packageID = job.packageID,
            let package = try await PackageRepository(connection: connection).find(packageID, lock: true),
            package.status == .approved, package.revision == job.revision, package.pendingJobID == nil
        else { return .nothing }
        _ = try await PackageRepository(connection: connection).transition(
            packageID, .publish, comment: nil, by: .system("scheduler"))
        return JobEffects(applied: true)
    }

    private func cancelOrders(
        packageID: Int, revisions: ClosedRange<Int>, statuses: [String], reason: String, comment: String?,
        actor: String
    ) async throws -> Int {
        try await connection.query(
            """
            UPDATE local.orders SET status = 'cancelled', cancelled_at = now(), cancelled_by = \(actor),
                cancel_comment = \(comment), cancel_reason = \(reason), version = version + 1,
                updated_at = now(), updated_by = \(actor)
            WHERE package_id = \(packageID) AND revision BETWEEN \(revisions.lowerBound) AND \(revisions.upperBound)
              AND status = ANY(\(statuses))
            """
        ).affectedRows
    }

    private func journal(
        _ package: CampaignPackage, action: String, actor: String, comment: String?, job: Job, effects: JobEffects
    ) async throws {
        let after = try await PackageRepository(connection: connection).require(package.id)
        guard case .object(var snapshot) = PackageRepository.snapshot(after) else { return }
        snapshot["job_id"] = .string(String(job.id))
        snapshot["orders_cancelled"] = .number(JSONNumber(effects.ordersCancelled))
        snapshot["processes_stopped"] = .number(JSONNumber(effects.processesStopped))
        try await Journal(connection: connection).append(
            actor: actor, action: action, subject: "package", subjectID: package.id, packageID: package.id,
            comment: comment, before: PackageRepository.snapshot(package), after: .object(snapshot))
    }
}

extension JSONValue {
    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }
}

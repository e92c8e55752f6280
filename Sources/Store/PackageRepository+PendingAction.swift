import Domain
import Postgres

extension PackageRepository {
    /// The package a cancel or reinitialize job still has to act on, locked for update;
    /// `nil` when the job already ran or was superseded (the package no longer points at it).
    public func pendingAction(of job: Job) async throws -> CampaignPackage? {
        guard let packageID = job.packageID else { return nil }
        let package = try await require(packageID, lock: true)
        return package.pendingJobID == job.id ? package : nil
    }

    /// The package's own part of a cancel or reinitialize job: its new status (a
    /// reinitialize also starts a new revision), the pending job cleared, and who did it,
    /// when and why recorded as its last action.
    public func finish(_ action: PackageAction, of package: CampaignPackage, comment: String?, by actor: String)
        async throws -> CampaignPackage
    {
        precondition(action == .cancel || action == .reinitialize, "only cancel and reinitialize are jobs")
        let status = try package.status.applying(action, type: package.type, hasAudience: package.hasAudience).get()
        try await connection.query(
            """
            UPDATE central.packages SET status = \(status.rawValue), revision = revision + \(action == .reinitialize ? 1 : 0),
                pending_job_id = NULL, version = version + 1, updated_at = now(), updated_by = \(actor),
                submitted_by = CASE WHEN \(action == .reinitialize) THEN NULL ELSE submitted_by END,
                last_action = \(action.rawValue), last_action_at = now(), last_action_by = \(actor),
                last_action_comment = \(comment)
            WHERE id = \(package.id)
            """)
        let after = try await require(package.id)
        try await syncReminders(of: after)
        return after
    }
}

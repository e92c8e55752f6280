import Domain
import Store

/// The journal entry of a cancel or reinitialize job: the package before and after, the
/// job, and what it changed.
struct PackageActionJournal {
    let transaction: StoreTransaction

    func record(
        _ action: PackageAction, before: CampaignPackage, after: CampaignPackage, request: PackageActionRequest,
        job: Job, effects: JobEffects
    ) async throws {
        guard case .object(var snapshot) = PackageRepository.snapshot(after) else { return }
        snapshot["job_id"] = .string(String(job.id))
        snapshot["orders_cancelled"] = .number(JSONNumber(effects.ordersCancelled))
        snapshot["processes_stopped"] = .number(JSONNumber(effects.processesStopped))
        try await transaction.journal.append(
            actor: request.requestedBy, action: action.rawValue, subject: "package", subjectID: before.id,
            packageID: before.id, comment: request.comment, before: PackageRepository.snapshot(before),
            after: .object(snapshot))
    }
}

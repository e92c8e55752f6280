import Domain
import Foundation
import Postgres

extension PackageRepository {
    /// Keeps the package's reminder jobs in step with its status and dates: queues the
    /// reminders ``Reminders`` says it should have (a reminder already queued or sent is
    /// found by its key) and drops the queued ones it should not (an edited date, a
    /// cancel, a return to editing, a decision taken). Called by every change of status
    /// or dates, in its transaction.
    func syncReminders(of package: CampaignPackage) async throws {
        let reminders = Reminders.scheduled(
            status: package.status, schedule: package.schedule, lead: reminderLead, now: Date())
        let keys = reminders.map { $0.uniqueKey(packageID: package.id, revision: package.revision) }
        try await connection.query(
            """
            DELETE FROM central.jobs
            WHERE package_id = \(package.id) AND kind = \(JobKind.deadlineReminder.rawValue) AND status = 'queued'
              AND NOT (unique_key = ANY (\(keys)))
            """)
        let jobs = JobRepository(connection: connection)
        for (reminder, key) in zip(reminders, keys) {
            _ = try await jobs.enqueue(
                kind: .deadlineReminder, packageID: package.id, revision: package.revision, uniqueKey: key,
                payload: reminder.request, runAt: reminder.runAt, by: .system("reminders"))
        }
    }

    /// The entities of the package's audience with no order of its current revision.
    public static func audienceWithoutOrder(of package: CampaignPackage) -> PostgresQuery {
        """
        SELECT audience.entity_id FROM (\(audienceEntities(of: package))) AS audience
        WHERE NOT EXISTS (
            SELECT 1 FROM local.orders o
            WHERE o.entity_id = audience.entity_id AND o.package_id = \(package.id) AND o.revision = \(package.revision))
        """
    }
}

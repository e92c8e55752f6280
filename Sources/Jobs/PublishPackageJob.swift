import Domain
import Logging
import Store

/// `publish_package`: an approved package is published when its `available_at` comes.
/// Idempotent: only a package still approved, at the job's revision and with no cancel
/// or reinitialize pending, is published.
public struct PublishPackageJob: JobHandler {
    public init() {}
    public var kind: JobKind { .publishPackage }

    public func run(_ job: Job, in transaction: StoreTransaction, logger: Logger) async throws {
        let effects = try await apply(job, in: transaction)
        logger.info("scheduled publication", metadata: effects.metadata)
    }

    /// The effects, in `transaction`.
    public func apply(_ job: Job, in transaction: StoreTransaction) async throws -> JobEffects {
        guard let packageID = job.packageID,
            let package = try await transaction.packages.find(packageID, lock: true),
            package.status == .approved, package.revision == job.revision, package.pendingJobID == nil
        else { return .nothing }
        _ = try await transaction.packages.transition(packageID, .publish, comment: nil, by: .system("scheduler"))
        return JobEffects(applied: true)
    }
}

/// Where a job is in its life: the `status` column of `central.jobs`.
public enum JobStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting for its `run_at` and a worker.
    case queued
    /// Claimed by a worker, under a lease.
    case running
    case succeeded
    /// Its attempts are used up; `POST /v1/jobs/{id}/retry` queues it again.
    case failed

    /// Whether the job is done, one way or the other.
    public var isFinished: Bool { self == .succeeded || self == .failed }
}

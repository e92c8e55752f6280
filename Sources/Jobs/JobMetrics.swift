import Domain
import Metrics

/// The metrics of one job kind, created once when the workers start.
struct JobMetrics: Sendable {
    let attempts: Counter
    let succeeded: Counter
    let retried: Counter
    let failed: Counter
    let duration: Metrics.Timer

    init(kind: String) {
        attempts = Counter(label: "campaignd_job_attempts_total", dimensions: [("kind", kind)])
        func finished(_ outcome: String) -> Counter {
            Counter(label: "campaignd_jobs_finished_total", dimensions: [("kind", kind), ("outcome", outcome)])
        }
        succeeded = finished(JobStatus.succeeded.rawValue)
        retried = finished("retried")
        failed = finished(JobStatus.failed.rawValue)
        duration = Metrics.Timer(
            label: "campaignd_job_duration_seconds", dimensions: [("kind", kind)], preferredDisplayUnit: .seconds)
    }
}

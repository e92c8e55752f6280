import ArgumentParser
import Domain
import Jobs
import Webhooks

/// Options of the job workers (`serve` and `worker`).
struct JobOptions: ParsableArguments {
    @Option(help: "Job workers in this process; 0 for none (env CAMPAIGND_WORKERS; default 2)")
    var workers: Int?

    @Option(name: .customLong("job-lease"), help: "Seconds a claimed job is reserved, renewed while it runs (env CAMPAIGND_JOB_LEASE; default 30)")
    var lease: Double?

    @Option(name: .customLong("job-poll-interval"), help: "Seconds between idle polls of the queue (env CAMPAIGND_JOB_POLL_INTERVAL; default 1)")
    var pollInterval: Double?

    @Option(name: .customLong("job-backoff"), help: "Seconds before a failed job's second attempt, doubled each time up to 300 (env CAMPAIGND_JOB_BACKOFF; default 1)")
    var backoff: Double?

    @Option(name: .customLong("job-retention"), help: "Hours finished jobs are kept (env CAMPAIGND_JOB_RETENTION_HOURS; default 168)")
    var retentionHours: Double?

    @Option(name: .customLong("notification-retention"), help: "Hours acknowledged notifications are kept (env CAMPAIGND_NOTIFICATION_RETENTION_HOURS; default 168)")
    var notificationRetentionHours: Double?

    @Option(name: .customLong("notification-expiry"), help: "Days any notification is kept, acknowledged or not (env CAMPAIGND_NOTIFICATION_EXPIRY_DAYS; default 90)")
    var notificationExpiryDays: Double?

    @Option(name: .customLong("reminder-lead"), help: "Seconds before an order or approval deadline its reminder goes out (env CAMPAIGND_REMINDER_LEAD; default 86400, 24 h)")
    var reminderLead: Double?

    @Flag(name: .customLong("webhook-allow-private"), help: "Let webhooks target loopback, link-local and private addresses: tests and closed networks only (env CAMPAIGND_WEBHOOK_ALLOW_PRIVATE=1)")
    var webhookAllowPrivate = false

    @Option(name: .customLong("webhook-timeout"), help: "Seconds a webhook attempt waits for its answer (env CAMPAIGND_WEBHOOK_TIMEOUT; default 10)")
    var webhookTimeout: Double?

    @Option(name: .customLong("webhook-retry-window"), help: "Seconds failed webhook attempts are retried before the endpoint is disabled (env CAMPAIGND_WEBHOOK_RETRY_WINDOW; default 86400, 24 h)")
    var webhookRetryWindow: Double?

    @Option(name: .customLong("webhook-concurrency"), help: "Webhook endpoints this process serves at once, one delivery in flight each (env CAMPAIGND_WEBHOOK_CONCURRENCY; default 32)")
    var webhookConcurrency: Int?

    /// `--reminder-lead`.
    func lead(_ global: GlobalOptions) throws -> Duration {
        GlobalOptions.duration(try global.positiveNumber(reminderLead, "CAMPAIGND_REMINDER_LEAD", Reminders.defaultLead.seconds))
    }

    /// Whether webhooks may target private addresses (the API checks registrations with it too).
    func allowsPrivateWebhooks(_ global: GlobalOptions) -> Bool {
        webhookAllowPrivate || Serve.isOn(global.environment["CAMPAIGND_WEBHOOK_ALLOW_PRIVATE"])
    }

    func webhooks(_ global: GlobalOptions) throws -> WebhookOptions {
        guard let concurrency = Int(global.setting(webhookConcurrency.map(String.init), "CAMPAIGND_WEBHOOK_CONCURRENCY", default: "32") ?? ""),
            concurrency > 0
        else { throw ValidationError("the webhook concurrency must be a positive number") }
        return WebhookOptions(
            allowPrivate: allowsPrivateWebhooks(global),
            timeout: GlobalOptions.duration(try global.positiveNumber(webhookTimeout, "CAMPAIGND_WEBHOOK_TIMEOUT", 10)),
            retryWindow: GlobalOptions.duration(try global.positiveNumber(webhookRetryWindow, "CAMPAIGND_WEBHOOK_RETRY_WINDOW", 86_400)),
            backoffBase: GlobalOptions.duration(try global.positiveNumber(backoff, "CAMPAIGND_JOB_BACKOFF", 1)),
            concurrency: concurrency,
            pollInterval: GlobalOptions.duration(try global.positiveNumber(pollInterval, "CAMPAIGND_JOB_POLL_INTERVAL", 1)))
    }

    func retention(_ global: GlobalOptions) throws -> RetentionOptions {
        RetentionOptions(
            jobs: GlobalOptions.duration(try global.positiveNumber(retentionHours, "CAMPAIGND_JOB_RETENTION_HOURS", 168) * 3600),
            acknowledgedNotifications: GlobalOptions.duration(
                try global.positiveNumber(notificationRetentionHours, "CAMPAIGND_NOTIFICATION_RETENTION_HOURS", 168) * 3600),
            notificationExpiry: GlobalOptions.duration(
                try global.positiveNumber(notificationExpiryDays, "CAMPAIGND_NOTIFICATION_EXPIRY_DAYS", 90) * 86_400))
    }

    func resolve(_ global: GlobalOptions) throws -> JobQueueOptions {
        guard let count = Int(global.setting(workers.map(String.init), "CAMPAIGND_WORKERS", default: "2") ?? ""), count >= 0
        else { throw ValidationError("the number of workers must be 0 or more") }
        return JobQueueOptions(
            workers: count,
            lease: GlobalOptions.duration(try global.positiveNumber(lease, "CAMPAIGND_JOB_LEASE", 30)),
            pollInterval: GlobalOptions.duration(try global.positiveNumber(pollInterval, "CAMPAIGND_JOB_POLL_INTERVAL", 1)),
            backoffBase: GlobalOptions.duration(try global.positiveNumber(backoff, "CAMPAIGND_JOB_BACKOFF", 1)),
            failpoints: Failpoints(parsing: global.environment["CAMPAIGND_FAILPOINTS"] ?? ""))
    }
}

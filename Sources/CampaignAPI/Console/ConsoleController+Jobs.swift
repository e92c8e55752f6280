import Domain
import Foundation
import Hummingbird
import Store

/// The jobs, failed ones first in mind: what went wrong, and Retry for those whose role may.
extension ConsoleController {
    @Sendable func jobList(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = try QueryDecoding.decode(JobListQuery.self, from: request)
        let jobs = try await store.transaction {
            try await $0.jobs.list(statuses: query.status ?? [], before: query.cursor, limit: query.limit.orDefault)
        }
        let mayRetry = AccessRules.check(APIRoute("POST", "/v1/jobs/{id}/retry"), role: principal.operatorRole) == nil
        var data = Self.layout(context)
        data["title"] = "Jobs"
        let current = request.uri.query ?? ""
        data["filters"] = [("Failed", "status=failed"), ("Queued", "status=queued"), ("Running", "status=running"), ("All", "")].map {
            ["label": $0.0, "href": "/console/jobs" + ($0.1.isEmpty ? "" : "?" + $0.1), "current": current == $0.1] as [String: Any]
        }
        data["caption"] = jobs.isEmpty ? "No jobs" : "Jobs, newest first"
        data["rows"] = jobs.map { job -> [String: Any] in
            var row: [String: Any] = [
                "id": String(job.id), "kind": job.kind.rawValue.replacingOccurrences(of: "_", with: " "), "status": job.status.rawValue,
                "attempts": "\(job.attempts) of \(job.maxAttempts)", "error": job.lastError ?? "",
                "canRetry": mayRetry && job.status == .failed, "csrf": data["csrf"] ?? "",
            ]
            if let package = job.packageID { row["packageID"] = String(package) }
            return row
        }
        return ConsolePage.render("jobs", data)
    }

    @Sendable func retryJob(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "job")
        try Self.requireRule("POST", "/v1/jobs/{id}/retry", principal)
        _ = try await store.transaction(for: principal) { try await $0.jobs.retry(id, by: principal) }
        return ConsolePage.redirect("/console/jobs?status=failed")
    }
}

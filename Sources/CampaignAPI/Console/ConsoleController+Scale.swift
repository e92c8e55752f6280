import Domain
import Foundation
import Hummingbird
import Store

/// Work at scale in the console: CSV exports of the lists, the participation of a
/// package, duplication, bulk order actions and the page of a job. Each calls the same
/// Store code and checks the same API rule as its `/v1` route.
extension ConsoleController {
    /// `/console/packages.csv?…`: the list's filters, every package (`GET /v1/packages` as CSV).
    @Sendable func exportPackages(_ request: Request, context: APIContext) async throws -> Response {
        try Self.requireRule("GET", "/v1/packages", try context.requirePrincipal())
        return CSVResponse.packages(try QueryDecoding.decode(PackageListQuery.self, from: request), store: store, context: context)
    }

    /// `/console/orders.csv?…` (`GET /v1/orders` as CSV).
    @Sendable func exportOrders(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("GET", "/v1/orders", principal)
        let query = try QueryDecoding.decode(OrderListQuery.self, from: request)
        return try await CSVResponse.orders(query, for: principal, store: store, context: context)
    }

    /// `/console/packages/{id}/participation.csv?status=`.
    @Sendable func exportParticipation(_ request: Request, context: APIContext) async throws -> Response {
        try Self.requireRule("GET", "/v1/packages/{id}/participation", try context.requirePrincipal())
        let statuses = try QueryDecoding.decode(ParticipationQuery.self, from: request).status?.values ?? []
        return try await CSVResponse.participation(
            packageID: try context.id("id", "package"), statuses: statuses, store: store, context: context)
    }

    /// `/console/packages/{id}/journal.csv`.
    @Sendable func exportJournal(_ request: Request, context: APIContext) async throws -> Response {
        try Self.requireRule("GET", "/v1/packages/{id}/journal", try context.requirePrincipal())
        return try await CSVResponse.journal(packageID: try context.id("id", "package"), store: store, context: context)
    }

    /// Duplicate: a new package being edited, whose form opens next.
    @Sendable func duplicatePackage(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "package")
        try Self.requireRule("POST", "/v1/packages/{id}/duplicate", principal)
        let copy = try await store.transaction(for: principal) { try await $0.packages.duplicate(id, label: nil, by: principal) }
        return ConsolePage.redirect("/console/packages/\(copy.id)/edit")
    }

    /// Approve, reject or cancel the orders checked (or every order shown) on the orders
    /// list: one `bulk_orders` job, whose page follows.
    @Sendable func bulkOrders(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule("POST", "/v1/orders/bulk", principal)
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        let field = form.fields.first { $0.name == "action" }?.value ?? ""
        guard let action = BulkOrderAction(rawValue: field) else {
            throw APIError.validation([FieldProblem(field: "action", message: "must be one of approve, reject, cancel")])
        }
        let checked = form.fields.filter { $0.name == (form["scope"] == "shown" ? "shown" : "ids") }.compactMap { Int($0.value) }
        let comment = form["comment"].flatMap { $0.isEmpty ? nil : $0 }
        let job: Job
        do {
            job = try await store.transaction(for: principal) {
                try await $0.jobs.requestBulkOrders(action, ids: checked, filter: nil, comment: comment, by: principal)
            }
        } catch {
            guard let problems = Self.fieldProblems(in: error) else { throw error }
            let text = problems.map { $0.field == "ids" ? "Choose orders first: check them, or choose every order shown." : "\($0.field): \($0.message)" }
            return PageSurface.console.message(
                "No order was changed", text.joined(separator: " "), status: .unprocessableContent,
                back: "/console/orders" + (form["back"].map { $0.isEmpty ? "" : "?" + $0 } ?? ""), layout: Self.layout(context))
        }
        return ConsolePage.redirect("/console/jobs/\(job.id)")
    }

    /// A job: its kind, status and attempts; a bulk job's result (changed, and each order
    /// skipped with why). Refreshes itself with the script while the job is not done.
    @Sendable func jobPage(_ request: Request, context: APIContext) async throws -> Response {
        let id = try context.id("id", "job")
        let job = try await store.transaction { try await $0.jobs.require(id) }
        var data = Self.layout(context)
        data["title"] = "Job \(id): \(job.kind.rawValue.replacingOccurrences(of: "_", with: " "))"
        data["id"] = String(id)
        data["status"] = job.status.rawValue
        data["running"] = job.status == .queued || job.status == .running
        data["attempts"] = "\(job.attempts) of \(job.maxAttempts)"
        data["error"] = job.lastError
        if let package = job.packageID { data["packageID"] = String(package) }
        if case .object(let result)? = job.result {
            let changed: Int =
                if case .number(let number)? = result["changed"] { number.int ?? 0 } else { 0 }
            var summary: [String: Any] = ["changed": changed == 1 ? "1 order changed." : "\(changed) orders changed."]
            if case .array(let skipped)? = result["skipped"] {
                summary["skipped"] = skipped.compactMap { item -> [String: String]? in
                    guard case .object(let members) = item, case .string(let order)? = members["order_id"],
                        case .string(let reason)? = members["reason"]
                    else { return nil }
                    return ["orderID": order, "reason": reason]
                }
                summary["skippedCount"] = String(skipped.count)
            }
            data["result"] = summary
        }
        return ConsolePage.render("job", data)
    }

    /// `{"status": …}` of a job, `"none"` once it is done (the script reloads then).
    @Sendable func jobProgress(_ request: Request, context: APIContext) async throws -> Response {
        let id = try context.id("id", "job")
        let job = try await store.transaction { try await $0.jobs.require(id) }
        let status = job.status == .succeeded || job.status == .failed ? "none" : job.status.rawValue
        return JSONResponse.make(.ok, .object(["status": .string(status)]))
    }

    /// The dashboard's participation: counts by status, and the first lines of the status
    /// asked (`?participation=no_response`), each a link where there is an order; and the
    /// audience's size, read in the same statement.
    func participationSection(_ package: CampaignPackage, shown: String?, _ transaction: StoreTransaction) async throws
        -> (section: [String: Any], size: Int)
    {
        let statuses = shown.map { [$0] } ?? []
        let page = try await transaction.packages.participation(
            of: package, statuses: statuses, after: nil, limit: Self.participationLines)
        let base = "/console/packages/\(package.id)"
        let section: [String: Any] = [
            "filters": ([("All", nil)] + Participation.statuses.map { (Self.participationWords($0), Optional($0)) }).map { label, status in
                let count = status.map { page.counts[$0] ?? 0 } ?? page.counts.values.reduce(0, +)
                return [
                    "label": "\(label) (\(count))", "href": base + (status.map { "?participation=\($0)" } ?? "") + "#participation",
                    "current": status == shown,
                ] as [String: Any]
            },
            "lines": page.items.map { item -> [String: Any] in
                var line: [String: Any] = ["entity": item.entityCode, "status": Self.participationWords(item.status)]
                if let order = item.orderID { line["orderID"] = String(order) }
                return line
            },
            "more": page.items.count == Self.participationLines,
            "shown": String(Self.participationLines),
            "csv": "\(base)/participation.csv" + (shown.map { "?status=\($0)" } ?? ""),
        ]
        return (section, page.audienceSize)
    }

    /// The participation lines a dashboard shows (the export has them all).
    static let participationLines = 25

    static func participationWords(_ status: String) -> String {
        status == Participation.noResponse ? "No response" : (OrderStatus(rawValue: status).map(words) ?? status)
    }
}

import Domain
import Foundation
import Hummingbird
import Store

extension ConsoleController {
    /// What every page's layout shows: who is signed in, and the token of its forms.
    static func layout(_ context: APIContext) -> [String: Any] {
        guard let session = context.pageSession else { return [:] }
        return [
            "operator": [
                "name": session.principal.operatorName ?? "", "role": session.principal.operatorRole.rawValue,
                "admin": session.principal.operatorRole == .admin,
                "mayCreate": AccessRules.check(APIRoute("POST", "/v1/packages"), role: session.principal.operatorRole) == nil,
            ],
            "csrf": session.csrfToken,
        ]
    }

    /// The filter links above the list, in the source document's words.
    static let filterLinks: [(label: String, query: String)] = [
        ("All", ""), ("Being edited", "status=being_edited"), ("Pending approval", "status=pending_approval"),
        ("Approved", "status=approved"), ("Published", "status=published"), ("Late", "late=true"),
        ("Cancelled", "status=cancelled"),
    ]

    static func words(_ status: PackageStatus) -> String {
        switch status {
        case .beingEdited: "Being edited"
        case .pendingApproval: "Pending approval"
        case .approved: "Approved"
        case .rejected: "Rejected"
        case .published: "Published"
        case .cancelled: "Cancelled"
        }
    }

    /// Campaign packages: the filter links, the Filter list panel, a stable page.
    @Sendable func packageList(_ request: Request, context: APIContext) async throws -> Response {
        let query = try QueryDecoding.decode(PackageListQuery.self, from: request)
        let limit = query.limit.orDefault
        let page = try await store.transaction { try await $0.packages.list(query.filter, before: query.cursor, limit: limit) }
        let raw = request.uri.query ?? ""
        let withoutCursor = raw.split(separator: "&").filter { !$0.hasPrefix("cursor=") }.joined(separator: "&")
        var data = Self.layout(context)
        data["title"] = "Campaign packages"
        data["filters"] = Self.filterLinks.map { link in
            ["label": link.label, "href": "/console/packages" + (link.query.isEmpty ? "" : "?" + link.query),
             "current": link.query == withoutCursor] as [String: Any]
        }
        let chosen = Set(query.status ?? [])
        data["statuses"] = PackageStatus.allCases.map {
            ["value": $0.rawValue, "label": Self.words($0), "checked": chosen.contains($0)] as [String: Any]
        }
        data["types"] = [("", "Any"), ("local", "Local"), ("collaborative", "Collaborative")].map {
            ["value": $0.0, "label": $0.1, "selected": query.type?.rawValue == $0.0 || (query.type == nil && $0.0.isEmpty)] as [String: Any]
        }
        data["q"] = query.q ?? ""
        data["unavailable"] = query.unavailable == true
        data["filtered"] = query.q != nil || query.type != nil || query.unavailable != nil
        data["caption"] = page.isEmpty ? "No packages" : "Packages, newest first"
        data["rows"] = page.map { summary -> [String: Any] in
            let package = summary.package
            return [
                "id": String(package.id), "label": package.label, "type": package.type.rawValue.capitalized,
                "status": Self.words(package.status), "late": summary.late, "unavailable": summary.unavailable,
                "campaign": package.campaignName,
                "counts": summary.orderCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }
                    .joined(separator: ", "),
            ]
        }
        data["csv"] = "/console/packages.csv" + (withoutCursor.isEmpty ? "" : "?" + withoutCursor)
        if page.count == limit, let last = page.last {
            data["next"] = "/console/packages?" + (withoutCursor.isEmpty ? "" : withoutCursor + "&") + "cursor=\(last.package.id)"
        }
        return ConsolePage.render("packages", data)
    }

    /// A package's dashboard: summary, actions the status and the role allow, orders by
    /// entity, reference campaign, journal; the pending job while there is one.
    @Sendable func packageDashboard(_ request: Request, context: APIContext) async throws -> Response {
        let shown = request.uri.queryParameters["participation"].map(String.init).flatMap {
            Participation.statuses.contains($0) ? $0 : nil
        }
        return try await dashboard(try context.id("id", "package"), context, participation: shown)
    }

    func dashboard(
        _ id: Int, _ context: APIContext, participation shown: String? = nil, commentError: String? = nil,
        commentValue: String = "", status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let principal = try context.requirePrincipal()
        let (summary, orders, reference, journal, job, participation) = try await store.transaction { transaction in
            let summary = try await transaction.packages.summary(id)
            var job: Job?
            if let pending = summary.package.pendingJobID { job = try await transaction.jobs.require(pending) }
            return (
                summary, try await transaction.packages.ordersByEntity(id),
                try await transaction.processes.referenceCampaign(packageID: id),
                try await transaction.journal.entries(packageID: id, after: 0, limit: 500), job,
                try await participationSection(summary.package, shown: shown, transaction)
            )
        }
        let package = summary.package
        var data = Self.layout(context)
        data["title"] = package.label
        data["id"] = String(id)
        data["label"] = package.label
        data["type"] = package.type.rawValue.capitalized
        data["campaign"] = package.campaignName
        data["folder"] = package.campaignFolder
        data["status"] = Self.words(package.status) + (summary.late ? " (late)" : "") + (summary.unavailable ? " (unavailable)" : "")
        data["revision"] = String(package.revision)
        data["audience"] = Self.audienceWords(package, size: participation.size)
        data["participation"] = participation.section
        let schedule = package.schedule
        data["dates"] = [
            ("Visible from", schedule.visibleFrom), ("Visible until", schedule.visibleUntil), ("Available at", schedule.availableAt),
            ("Order deadline", schedule.orderDeadline), ("Approval deadline", schedule.approvalDeadline),
        ].compactMap { label, date in date.map { ["label": label, "value": RFC3339.format($0)] } }
        data["lastAction"] = package.lastAction.map {
            ["action": $0.action, "at": RFC3339.format($0.at), "by": $0.by].merging($0.comment.map { ["comment": $0] } ?? [:]) { $1 }
        }
        if let job { data["job"] = ["id": String(job.id), "kind": job.kind.rawValue.replacingOccurrences(of: "_", with: " "), "status": job.status.rawValue] }

        // The actions: allowed by the status (Domain) and by the role (the API route's rule).
        // Editing is the API's PATCH of the package; every other action its POST.
        func allowed(_ action: PackageAction) -> Bool {
            let route = action == .edit ? APIRoute("PATCH", "/v1/packages/{id}") : APIRoute("POST", "/v1/packages/{id}/\(action.rawValue)")
            return package.pendingJobID == nil
                && AccessRules.check(route, role: principal.operatorRole) == nil
                && (try? package.status.applying(action, type: package.type, hasAudience: package.hasAudience).get()) != nil
        }
        let transitions: [(PackageAction, String)] = [(.submit, "Submit"), (.approve, "Approve"), (.reject, "Reject"), (.publish, "Publish")]
        let open = transitions.filter { allowed($0.0) }
        data["transitions"] = open.map { ["packageID": String(id), "action": $0.0.rawValue, "label": $0.1, "csrf": data["csrf"] ?? ""] }
        data["canEdit"] = allowed(.edit)
        data["canCancel"] = allowed(.cancel)
        data["canReinitialize"] = allowed(.reinitialize)
        let canDuplicate = AccessRules.check(APIRoute("POST", "/v1/packages/{id}/duplicate"), role: principal.operatorRole) == nil
        data["canDuplicate"] = canDuplicate
        data["anyAction"] = !open.isEmpty || canDuplicate || [PackageAction.edit, .cancel, .reinitialize].contains(where: allowed)
        data["commentError"] = commentError
        data["commentValue"] = commentValue

        data["orders"] = orders.map { ["entity": $0.entityCode, "id": String($0.orderID), "status": $0.status.rawValue.replacingOccurrences(of: "_", with: " ")] }
        data["counts"] = summary.orderCounts.isEmpty
            ? "No orders."
            : summary.orderCounts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key.replacingOccurrences(of: "_", with: " "))" }.joined(separator: ", ")
        data["reference"] = reference.map { campaign in
            [
                "name": campaign.name, "status": campaign.status.replacingOccurrences(of: "_", with: " "),
                "processes": campaign.processes.map { ["kind": $0.kind, "name": $0.name, "status": $0.status] },
            ] as [String: Any]
        }
        data["journal"] = journal.reversed().map { entry in
            ["at": RFC3339.format(entry.at), "actor": entry.actor, "action": entry.action.replacingOccurrences(of: "_", with: " ")]
                .merging(entry.comment.map { ["comment": $0] } ?? [:]) { $1 }
        }
        return ConsolePage.render("package", data, status: status)
    }

    /// Who the package reaches, in words: "every local entity (12)", or the list and the
    /// tags, and whether that audience is frozen.
    static func audienceWords(_ package: CampaignPackage, size: Int) -> String {
        guard let listed = package.audience else { return "Every local entity (\(size))" }
        var parts: [String] = []
        if !listed.isEmpty { parts.append("\(listed.count) listed") }
        if !package.audienceTags.isEmpty { parts.append("tagged " + package.audienceTags.joined(separator: ", ")) }
        let reach = size == 1 ? "1 entity" : "\(size) entities"
        return "\(reach): " + (parts.isEmpty ? "nobody chosen" : parts.joined(separator: "; "))
            + (package.audienceIsFrozen ? " (frozen at publication)" : "")
    }

    /// `{"status": …}` of the package's pending job (`"none"` once it is done): what the
    /// dashboard's script polls to reload when the job finishes.
    @Sendable func jobStatus(_ request: Request, context: APIContext) async throws -> Response {
        let id = try context.id("id", "package")
        let status = try await store.transaction { transaction -> String in
            guard let job = try await transaction.packages.summary(id).package.pendingJobID else { return "none" }
            return try await transaction.jobs.require(job).status.rawValue
        }
        return JSONResponse.make(.ok, .object(["status": .string(status)]))
    }

    /// Submit, approve, reject, publish: the API's transition, then back to the dashboard.
    func transition(_ request: Request, _ context: APIContext, _ action: PackageAction) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "package")
        try Self.requireRule("POST", "/v1/packages/{id}/\(action.rawValue)", principal)
        try await store.transaction(for: principal) { transaction in
            _ = try await transaction.packages.transition(
                id, action, comment: nil, by: principal, allowSelfApproval: options.allowSelfApproval)
        }
        return ConsolePage.redirect("/console/packages/\(id)")
    }

    /// Cancel: its Comment is required (shown next to the field when missing, nothing done).
    @Sendable func cancel(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "package")
        try Self.requireRule("POST", "/v1/packages/{id}/cancel", principal)
        var request = request
        let comment = FormBody(try await request.collectData(context: context))["comment"] ?? ""
        if let problem = CommentRules.check(comment, for: .cancel).first {
            return try await dashboard(id, context, commentError: problem.message, commentValue: comment, status: .unprocessableContent)
        }
        _ = try await store.transaction(for: principal) { try await $0.packages.requestJob(id, .cancel, comment: comment, by: principal) }
        return ConsolePage.redirect("/console/packages/\(id)")
    }

    /// "Reinitialize the package to reuse it": what it does, and OK.
    @Sendable func reinitializePage(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "package")
        try Self.requireRule("POST", "/v1/packages/{id}/reinitialize", principal)
        let package = try await store.transaction { try await $0.packages.require(id) }
        var data = Self.layout(context)
        data["title"] = "Reinitialize the package to reuse it"
        data["id"] = String(id)
        data["label"] = package.label
        data["status"] = Self.words(package.status)
        return ConsolePage.render("reinitialize", data)
    }

    @Sendable func reinitialize(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.id("id", "package")
        try Self.requireRule("POST", "/v1/packages/{id}/reinitialize", principal)
        var request = request
        let comment = FormBody(try await request.collectData(context: context))["comment"].flatMap { $0.isEmpty ? nil : $0 }
        _ = try await store.transaction(for: principal) {
            try await $0.packages.requestJob(id, .reinitialize, comment: comment, by: principal)
        }
        return ConsolePage.redirect("/console/packages/\(id)")
    }

    /// The rule of the API route a page action stands for: the same refusal, as a page.
    static func requireRule(_ method: String, _ path: String, _ principal: Principal) throws {
        let route = APIRoute(method, path)
        if let refusal = AccessRules.check(route, role: principal.operatorRole) {
            throw APIError(refusal, route: route, role: principal.operatorRole)
        }
    }
}

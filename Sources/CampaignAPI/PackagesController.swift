import Domain
import Foundation
import Hummingbird
import Store

/// `/v1/packages`: the central back office's packages.
struct PackagesController {
    let store: Store

    static let draftFields: Set<String> = [
        "label", "type", "campaign_name", "campaign_folder", "audience", "approval_mode", "allows_several_orders",
        "visible_from", "visible_until", "available_at", "order_deadline", "approval_deadline", "description", "settings",
    ]

    func register(on group: RouterGroup<APIContext>) {
        let post = PostAction(store: store)
        group.post("packages") { request, context in
            _ = try context.requireCentral()
            let data = try await request.data(context: context)
            var body = try RequestBody(data: data, allowed: Self.draftFields)
            let label = body.string("label", required: true)
            let type = body.enumeration("type", PackageType.self, required: true)
            let campaignName = body.string("campaign_name", required: true)
            let campaignFolder = body.string("campaign_folder", required: true)
            var draft = PackageDraft(
                label: label ?? "", type: type ?? .local, campaignName: campaignName ?? "",
                campaignFolder: campaignFolder ?? "")
            Self.apply(&body, to: &draft)
            try body.finish()
            return try await post.run(request, context, body: data, status: .created) { transaction, principal in
                let package = try await transaction.packages.create(draft, by: principal)
                return try await Self.detail(package.id, transaction)
            }
        }
        group.get("packages") { request, context in
            _ = try context.requireCentral()
            var query = QueryOptions(request)
            let filter = PackageFilter(
                statuses: query.list("status", PackageStatus.self), type: query.enumeration("type", PackageType.self),
                late: query.bool("late"), unavailable: query.bool("unavailable"), text: query.text("q"))
            let limit = query.limit()
            let cursor = query.integer("cursor")
            try query.finish()
            let page = try await store.transaction { try await $0.packages.list(filter, before: cursor, limit: limit) }
            return JSONResponse.make(
                .ok,
                JSONResponse.page(
                    page.map(Views.packageSummary),
                    nextCursor: page.count == limit ? page.last.map { String($0.package.id) } : nil))
        }
        group.get("packages/:id") { request, context in
            _ = try context.requireCentral()
            let id = try context.id("id", "package")
            let detail = try await store.transaction { try await Self.detail(id, $0) }
            return JSONResponse.make(.ok, detail, headers: Self.etag(detail))
        }
        group.patch("packages/:id") { request, context in
            let principal = try context.requireCentral()
            let id = try context.id("id", "package")
            let expected = try request.expectedVersion()
            var body = try RequestBody(data: try await request.data(context: context), allowed: Self.draftFields)
            var patch = PackageDraft(label: "", type: .local, campaignName: "", campaignFolder: "")
            let label = body.string("label")
            let campaignName = body.string("campaign_name")
            let campaignFolder = body.string("campaign_folder")
            let type = body.enumeration("type", PackageType.self)
            Self.apply(&body, to: &patch)
            try body.finish()
            let given = body
            let detail = try await store.transaction { transaction in
                _ = try await transaction.packages.edit(id, { draft in
                    if let label { draft.label = label }
                    if let campaignName { draft.campaignName = campaignName }
                    if let campaignFolder { draft.campaignFolder = campaignFolder }
                    if let type { draft.type = type }
                    Self.merge(patch, into: &draft, given: given)
                }, expectedVersion: expected, by: principal)
                return try await Self.detail(id, transaction)
            }
            return JSONResponse.make(.ok, detail, headers: Self.etag(detail))
        }
        for action in [PackageAction.submit, .approve, .reject, .publish] {
            group.post("packages/:id/\(action.rawValue)") { request, context in
                _ = try context.requireCentral()
                let id = try context.id("id", "package")
                let data = try await request.data(context: context)
                var body = try RequestBody(data: data, allowed: ["comment"])
                let comment = body.string("comment")
                try body.finish()
                return try await post.run(request, context, body: data, status: .ok) { transaction, principal in
                    _ = try await transaction.packages.transition(id, action, comment: comment, by: principal)
                    return try await Self.detail(id, transaction)
                }
            }
        }
        for action in [PackageAction.cancel, .reinitialize] {
            group.post("packages/:id/\(action.rawValue)") { request, context in
                _ = try context.requireCentral()
                let id = try context.id("id", "package")
                let data = try await request.data(context: context)
                var body = try RequestBody(data: data, allowed: ["comment"])
                let comment = body.string("comment", required: action == .cancel)
                try body.finish()
                return try await post.run(request, context, body: data, status: .accepted) { transaction, principal in
                    let job = try await transaction.packages.requestJob(id, action, comment: comment, by: principal)
                    return .object(["job": Views.job(job)])
                }
            }
        }
        group.get("packages/:id/journal") { request, context in
            _ = try context.requireCentral()
            let id = try context.id("id", "package")
            var query = QueryOptions(request)
            let limit = query.limit()
            let cursor = query.integer("cursor") ?? 0
            try query.finish()
            let entries = try await store.transaction { transaction in
                _ = try await transaction.packages.require(id)
                return try await transaction.journal.entries(packageID: id, after: cursor, limit: limit)
            }
            return JSONResponse.make(
                .ok,
                JSONResponse.page(
                    entries.map(Views.journalEntry), nextCursor: entries.count == limit ? entries.last.map { String($0.id) } : nil))
        }
    }

    static func detail(_ id: Int, _ transaction: StoreTransaction) async throws -> JSONValue {
        let summary = try await transaction.packages.summary(id)
        let orders = try await transaction.packages.ordersByEntity(id)
        let reference = try await transaction.processes.referenceCampaign(packageID: id)
        return Views.packageDetail(summary, orders: orders, reference: reference)
    }

    static func etag(_ detail: JSONValue) -> HTTPFields {
        guard case .object(let members) = detail, case .number(let version) = members["version"] else { return [:] }
        return [.eTag: "\"\(version.text)\""]
    }

    /// Reads the optional fields of a draft from the body.
    static func apply(_ body: inout RequestBody, to draft: inout PackageDraft) {
        if let description = body.string("description") { draft.description = description }
        if let audience = body.stringList("audience") { draft.audience = audience }
        if let mode = body.enumeration("approval_mode", ApprovalMode.self) { draft.approvalMode = mode }
        if let several = body.bool("allows_several_orders") { draft.allowsSeveralOrders = several }
        if let date = body.date("visible_from") { draft.schedule.visibleFrom = date }
        if let date = body.date("visible_until") { draft.schedule.visibleUntil = date }
        if let date = body.date("available_at") { draft.schedule.availableAt = date }
        if let date = body.date("order_deadline") { draft.schedule.orderDeadline = date }
        if let date = body.date("approval_deadline") { draft.schedule.approvalDeadline = date }
        if let settings = body.object("settings") { draft.settings = settings }
    }

    /// Copies onto `draft` the optional fields the PATCH body named (`null` clears).
    static func merge(_ patch: PackageDraft, into draft: inout PackageDraft, given body: RequestBody) {
        if body.has("description") { draft.description = patch.description }
        if body.has("audience") { draft.audience = patch.audience }
        if body.has("approval_mode") { draft.approvalMode = patch.approvalMode }
        if body.has("allows_several_orders") { draft.allowsSeveralOrders = patch.allowsSeveralOrders }
        if body.has("visible_from") { draft.schedule.visibleFrom = patch.schedule.visibleFrom }
        if body.has("visible_until") { draft.schedule.visibleUntil = patch.schedule.visibleUntil }
        if body.has("available_at") { draft.schedule.availableAt = patch.schedule.availableAt }
        if body.has("order_deadline") { draft.schedule.orderDeadline = patch.schedule.orderDeadline }
        if body.has("approval_deadline") { draft.schedule.approvalDeadline = patch.schedule.approvalDeadline }
        if body.has("settings") { draft.settings = patch.settings }
    }
}

import Domain
import Foundation
import Hummingbird
import Store

/// `/v1/packages`: the central back office's packages. Each route is a named handler
/// that reads the request, asks Store (which asks Domain), and writes the answer.
struct PackagesController {
    let store: Store
    let options: APIOptions
    var post: PostAction { PostAction(store: store) }

    func register(on group: RouterGroup<APIContext>) {
        group.post("packages", use: create)
        group.get("packages", use: list)
        group.get("packages/:id", use: show)
        group.patch("packages/:id", use: edit)
        for action in [PackageAction.submit, .approve, .reject, .publish] {
            group.post("packages/:id/\(action.rawValue)") { request, context in
                try await transition(request, context, action)
            }
        }
        for action in [PackageAction.cancel, .reinitialize] {
            group.post("packages/:id/\(action.rawValue)") { request, context in
                try await requestJob(request, context, action)
            }
        }
        group.get("packages/:id/journal", use: journal)
        group.get("packages/:id/participation", use: participation)
        group.post("packages/:id/duplicate", use: duplicate)
    }

    @Sendable func create(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        var request = request
        let data = try await request.collectData(context: context)
        let draft = try await request.decode(as: Creation<PackageBody>.self, context: context).body.draft
        return try await post.run(request, context, body: data, status: .created) { transaction, principal in
            let package = try await transaction.packages.create(draft, by: principal)
            return try await Self.detail(package.id, transaction)
        }
    }

    @Sendable func list(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let query = try QueryDecoding.decode(PackageListQuery.self, from: request)
        if try CSVResponse.wanted(by: request) { return CSVResponse.packages(query, store: store, context: context) }
        let limit = query.limit.orDefault
        let page = try await store.read(reader: context.principal) {
            try await $0.packages.list(query.filter, before: query.cursor, limit: limit)
        }
        return JSONResponse.make(
            .ok,
            JSONResponse.page(
                page.map(Views.packageSummary), nextCursor: page.count == limit ? page.last.map { String($0.package.id) } : nil))
    }

    @Sendable func show(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "package")
        let detail = try await store.transaction { try await Self.detail(id, $0) }
        return JSONResponse.make(.ok, detail, headers: Self.etag(detail))
    }

    @Sendable func edit(_ request: Request, context: APIContext) async throws -> Response {
        let principal = try context.requireCentral()
        let id = try context.id("id", "package")
        let expected = try request.expectedVersion()
        let body = try await request.decode(as: PackageBody.self, context: context)
        let detail = try await store.transaction { transaction in
            _ = try await transaction.packages.edit(id, body.apply, expectedVersion: expected, by: principal)
            return try await Self.detail(id, transaction)
        }
        return JSONResponse.make(.ok, detail, headers: Self.etag(detail))
    }

    /// Submit, approve, reject, publish: decided and applied in the request.
    func transition(_ request: Request, _ context: APIContext, _ action: PackageAction) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "package")
        var request = request
        let data = try await request.collectData(context: context)
        let comment = try await request.decode(as: CommentBody.self, context: context).comment
        return try await post.run(request, context, body: data, status: .ok) { transaction, principal in
            _ = try await transaction.packages.transition(
                id, action, comment: comment, by: principal, allowSelfApproval: options.allowSelfApproval)
            return try await Self.detail(id, transaction)
        }
    }

    /// Cancel, reinitialize: decided in the request, applied by a job (202).
    func requestJob(_ request: Request, _ context: APIContext, _ action: PackageAction) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "package")
        var request = request
        let data = try await request.collectData(context: context)
        let comment = try await request.decode(as: CommentBody.self, context: context).comment
        return try await post.run(request, context, body: data, status: .accepted) { transaction, principal in
            let job = try await transaction.packages.requestJob(id, action, comment: comment, by: principal)
            return .object(["job": Views.job(job)])
        }
    }

    @Sendable func journal(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "package")
        let query = try QueryDecoding.decode(PageQuery.self, from: request)
        if try CSVResponse.wanted(by: request) { return try await CSVResponse.journal(packageID: id, store: store, context: context) }
        let (limit, cursor) = (query.limit.orDefault, query.cursor ?? 0)
        let entries = try await store.transaction { transaction in
            _ = try await transaction.packages.require(id)
            return try await transaction.journal.entries(packageID: id, after: cursor, limit: limit)
        }
        return JSONResponse.make(
            .ok,
            JSONResponse.page(
                entries.map(Views.journalEntry), nextCursor: entries.count == limit ? entries.last.map { String($0.id) } : nil))
    }

    /// Who was offered the package and what each did (API.md, "Packages: second part").
    @Sendable func participation(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "package")
        let query = try QueryDecoding.decode(ParticipationQuery.self, from: request)
        let statuses = query.status?.values ?? []
        let cursor = try query.cursor.map { text in
            guard let cursor = ParticipationCursor(text) else {
                throw APIError.validation([FieldProblem(field: "cursor", message: "must be the next_cursor of a previous page")])
            }
            return cursor
        }
        if try CSVResponse.wanted(by: request) {
            return try await CSVResponse.participation(packageID: id, statuses: statuses, store: store, context: context)
        }
        let limit = query.limit.orDefault
        let page = try await store.transaction { transaction in
            let package = try await transaction.packages.require(id)
            return try await transaction.packages.participation(of: package, statuses: statuses, after: cursor, limit: limit)
        }
        let nextCursor = page.items.count == limit ? page.items.last.map(\.cursor) : nil
        return JSONResponse.make(
            .ok,
            .object([
                "items": .array(page.items.map(Views.participationItem)),
                "next_cursor": nextCursor.map(JSONValue.string) ?? .null,
                "counts": .object(page.counts.mapValues(JSONValue.int)),
            ]))
    }

    /// A new `being_edited` package with this one's fields (201).
    @Sendable func duplicate(_ request: Request, context: APIContext) async throws -> Response {
        _ = try context.requireCentral()
        let id = try context.id("id", "package")
        var request = request
        let data = try await request.collectData(context: context)
        let label = try await request.decode(as: DuplicateBody.self, context: context).label
        return try await post.run(request, context, body: data, status: .created) { transaction, principal in
            let copy = try await transaction.packages.duplicate(id, label: label, by: principal)
            return try await Self.detail(copy.id, transaction)
        }
    }

    static func detail(_ id: Int, _ transaction: StoreTransaction) async throws -> JSONValue {
        let summary = try await transaction.packages.summary(id)
        let orders = try await transaction.packages.ordersByEntity(id)
        let reference = try await transaction.processes.referenceCampaign(packageID: id)
        let audienceSize = try await transaction.packages.audienceSize(of: summary.package)
        return Views.packageDetail(summary, orders: orders, reference: reference, audienceSize: audienceSize)
    }

    static func etag(_ detail: JSONValue) -> HTTPFields {
        guard case .object(let members) = detail, case .number(let version) = members["version"] else { return [:] }
        return [.eTag: "\"\(version.text)\""]
    }
}

import Domain
import Hummingbird
import Postgres
import Store

/// `text/csv` answers of the lists (API.md, "CSV exports"): asked with `Accept: text/csv`
/// or `?format=csv`, every matching row, streamed from PostgreSQL as it is written.
enum CSVResponse {
    /// Whether the request asks for CSV rather than JSON (`?format=json` asks for JSON
    /// whatever `Accept` says); another `format` is a 422.
    static func wanted(by request: Request) throws -> Bool {
        switch request.uri.queryParameters["format"].map(String.init) {
        case "csv": return true
        case "json": return false
        case nil, "": return request.headers[values: .accept].contains { $0.lowercased().contains("text/csv") }
        case let other?:
            throw APIError.validation([FieldProblem(field: "format", message: "\(other) is not one of csv, json")])
        }
    }

    /// A streamed answer: the rows are read from the database while the body is written,
    /// about 64 KiB at a time. A failure once streaming began can only cut the body
    /// short; the log says so.
    static func make(
        _ query: PostgresQuery, store: Store, principal: Principal?, filename: String, context: APIContext
    ) -> Response {
        let logger = context.logger
        let headers: HTTPFields = [
            .contentType: "text/csv; charset=utf-8",
            .contentDisposition: "attachment; filename=\"\(filename).csv\"",
            .cacheControl: "no-store", .xContentTypeOptions: "nosniff",
        ]
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                do {
                    try await CSVExport.stream(query, from: store, for: principal) { chunk in
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                } catch {
                    logger.warning("a CSV export stopped before its end", metadata: ["error": "\(error)"])
                    throw error
                }
                try await writer.finish(nil)
            })
    }
}

/// The exports themselves, the API's and the console's: the same queries, read the same
/// way; each caller has checked its own access rule first.
extension CSVResponse {
    /// Every package the list's filters match.
    static func packages(_ query: PackageListQuery, store: Store, context: APIContext) -> Response {
        make(CSVExport.packages(query.filter), store: store, principal: nil, filename: "packages", context: context)
    }

    /// Every order the list's filters match that `principal` may see.
    static func orders(_ query: OrderListQuery, for principal: Principal, store: Store, context: APIContext) async throws
        -> Response
    {
        let filter = try await store.transaction(for: principal) { try await OrdersController.filter(query, principal, $0) }
        return make(CSVExport.orders(filter), store: store, principal: principal, filename: "orders", context: context)
    }

    /// A package's participation lines of `statuses` (every line when empty).
    static func participation(packageID id: Int, statuses: [String], store: Store, context: APIContext) async throws
        -> Response
    {
        let package = try await store.transaction { try await $0.packages.require(id) }
        return make(
            CSVExport.participation(of: package, statuses: statuses), store: store, principal: nil,
            filename: "package-\(id)-participation", context: context)
    }

    /// A package's journal.
    static func journal(packageID id: Int, store: Store, context: APIContext) async throws -> Response {
        _ = try await store.transaction { try await $0.packages.require(id) }
        return make(CSVExport.journal(packageID: id), store: store, principal: nil, filename: "package-\(id)-journal", context: context)
    }
}

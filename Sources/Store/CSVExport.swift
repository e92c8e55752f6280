import Domain
import Postgres

/// The CSV exports (`Accept: text/csv` or `?format=csv`): every row a list's filters
/// match, written by PostgreSQL itself (`COPY … TO STDOUT (FORMAT csv)`: RFC 4180
/// quoting, a header row, UTF-8) and streamed in chunks: memory stays flat however many
/// rows there are. Text cells go through `central.csv_text` (a leading `=`, `+`, `-`,
/// `@`, tab or carriage return is prefixed with `'`), times through `central.csv_time`.
public enum CSVExport {
    /// The COPY options of every export.
    static let options = "FORMAT csv, HEADER true, ENCODING 'UTF8'"

    /// Streams `query`'s rows as CSV to `write`, in one statement (one snapshot), with a
    /// local principal's row level security scope. Returns the rows written.
    @discardableResult
    public static func stream(
        _ query: PostgresQuery, from store: Store, for principal: Principal? = nil,
        _ write: ([UInt8]) async throws -> Void
    ) async throws -> Int {
        let settings = principal?.entityID.map { [(name: "campaignd.entity_id", value: String($0))] } ?? []
        return try await store.pool.withConnection { connection in
            try await connection.withTransaction(isolation: .readCommitted, settings: settings) { connection in
                try await connection.copyOut(query, options: options, write) - 1
            }
        }
    }

    /// Packages matching the list's filters, newest first, with the current revision's
    /// orders counted by status.
    public static func packages(_ filter: PackageFilter) -> PostgresQuery {
        let conditions = PackageRepository.conditions(filter, statuses: true)
        let whereClause: PostgresQuery = conditions.isEmpty ? "" : "WHERE " + PostgresQuery.joined(conditions, separator: " AND ")
        let counts = PostgresQuery.joined(
            OrderStatus.allCases.map {
                "coalesce(c.\(identifier: $0.rawValue), 0) AS \(identifier: "orders_" + $0.rawValue)"
            }, separator: ", ")
        let countColumns = PostgresQuery.joined(
            OrderStatus.allCases.map { "count(*) FILTER (WHERE o.status = \($0.rawValue)) AS \(identifier: $0.rawValue)" },
            separator: ", ")
        return """
            SELECT p.id, central.csv_text(p.label) AS label, p.type, p.status, p.revision,
                   central.csv_text(p.campaign_name) AS campaign_name, central.csv_text(p.campaign_folder) AS campaign_folder,
                   CASE WHEN \(PackageRepository.lateSQL) THEN 'true' ELSE 'false' END AS late,
                   CASE WHEN \(PackageRepository.unavailableSQL) THEN 'true' ELSE 'false' END AS unavailable,
                   central.csv_time(p.visible_from) AS visible_from, central.csv_time(p.visible_until) AS visible_until,
                   central.csv_time(p.available_at) AS available_at, central.csv_time(p.order_deadline) AS order_deadline,
                   central.csv_time(p.approval_deadline) AS approval_deadline,
                   central.csv_time(p.created_at) AS created_at, central.csv_text(p.created_by) AS created_by,
                   central.csv_time(p.updated_at) AS updated_at, central.csv_text(p.updated_by) AS updated_by,
                   \(counts)
            FROM central.packages p
            LEFT JOIN LATERAL (
                SELECT \(countColumns) FROM local.orders o WHERE o.package_id = p.id AND o.revision = p.revision
            ) c ON true
            \(whereClause)
            ORDER BY p.id DESC
            """
    }

    /// Orders matching the list's filters, newest first; `nil` matches none (an entity the
    /// caller may not see): the header alone.
    public static func orders(_ filter: OrderFilter?) -> PostgresQuery {
        let conditions: [PostgresQuery] = filter.map(OrderRepository.conditions) ?? ["false"]
        let whereClause: PostgresQuery = conditions.isEmpty ? "" : "WHERE " + PostgresQuery.joined(conditions, separator: " AND ")
        return """
            SELECT o.id, o.package_id, o.revision, central.csv_text(e.code) AS entity, central.csv_text(o.label) AS label,
                   o.status, central.csv_text(o.comment) AS comment, central.csv_text(o.parameters::text) AS parameters,
                   central.csv_time(o.created_at) AS created_at, central.csv_text(o.created_by) AS created_by,
                   central.csv_time(o.updated_at) AS updated_at, central.csv_text(o.updated_by) AS updated_by,
                   central.csv_time(o.decided_at) AS decided_at, central.csv_text(o.decided_by) AS decided_by,
                   central.csv_text(o.decision_comment) AS decision_comment,
                   central.csv_time(o.cancelled_at) AS cancelled_at, central.csv_text(o.cancelled_by) AS cancelled_by,
                   central.csv_text(o.cancel_comment) AS cancel_comment, o.cancel_reason
            FROM local.orders o JOIN central.entities e ON e.id = o.entity_id
            \(whereClause)
            ORDER BY o.id DESC
            """
    }

    /// A package's participation (see ``PackageRepository/participation(of:statuses:after:limit:)``).
    public static func participation(of package: CampaignPackage, statuses: [String]) -> PostgresQuery {
        """
        SELECT central.csv_text(line.entity) AS entity, line.status, line.order_id
        FROM (\(PackageRepository.participationLines(of: package, statuses: statuses, after: nil))) AS line
        ORDER BY line.entity, coalesce(line.order_id, 0)
        """
    }

    /// A package's journal, oldest first.
    public static func journal(packageID: Int) -> PostgresQuery {
        """
        SELECT j.id, central.csv_time(j.at) AS at, central.csv_text(j.actor) AS actor, j.action, j.subject, j.subject_id,
               central.csv_text(e.code) AS entity, central.csv_text(j.comment) AS comment,
               central.csv_text(j.before::text) AS before, central.csv_text(j.after::text) AS after
        FROM central.audit_journal j LEFT JOIN central.entities e ON e.id = j.entity_id
        WHERE j.package_id = \(packageID)
        ORDER BY j.id
        """
    }
}

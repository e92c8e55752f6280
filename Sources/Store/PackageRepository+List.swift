import Domain
import Foundation
import Postgres

/// Filters of the package list.
public struct PackageFilter: Sendable, Equatable {
    public var statuses: [PackageStatus] = []
    public var type: PackageType?
    public var late: Bool?
    public var unavailable: Bool?
    /// Free text matched against the label (case-insensitive substring).
    public var text: String?

    public init(
        statuses: [PackageStatus] = [], type: PackageType? = nil, late: Bool? = nil, unavailable: Bool? = nil,
        text: String? = nil
    ) {
        self.statuses = statuses
        self.type = type
        self.late = late
        self.unavailable = unavailable
        self.text = text
    }
}

/// A line of the package list, with the orders of the current revision counted by status.
public struct PackageSummary: Sendable, Equatable {
    public var package: CampaignPackage
    public var late: Bool
    public var unavailable: Bool
    public var orderCounts: [String: Int]
}

/// An order of the current revision, as the package detail lists them.
public struct EntityOrder: Sendable, Equatable {
    public var entityCode: String
    public var orderID: Int
    public var status: OrderStatus
}

extension PackageRepository {
    /// Packages matching `filter`, newest first, with ids below `cursor`.
    ///
    /// With several statuses the query is one index range per status (`status, id` or
    /// `status, type, id`), each limited, merged by id: the cost stays that of `limit`
    /// rows however the statuses are spread.
    public func list(_ filter: PackageFilter, before cursor: Int?, limit: Int) async throws -> [PackageSummary] {
        var conditions = Self.conditions(filter, statuses: false)
        if let cursor { conditions.append("p.id < \(cursor)") }
        func branch(_ status: PackageStatus?) -> PostgresQuery {
            var all = conditions
            if let status { all.insert("p.status = \(status.rawValue)", at: 0) }
            let whereClause = all.isEmpty ? "" : "WHERE " + PostgresQuery.joined(all, separator: " AND ")
            return "(SELECT p.id FROM central.packages p \(whereClause) ORDER BY p.id DESC LIMIT \(limit))"
        }
        let statuses = Array(Set(filter.statuses)).sorted { $0.rawValue < $1.rawValue }
        let ids: PostgresQuery =
            statuses.isEmpty ? branch(nil) : PostgresQuery.joined(statuses.map(branch), separator: " UNION ALL ")
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM central.packages p
            WHERE p.id IN (SELECT id FROM (\(ids)) AS page ORDER BY id DESC LIMIT \(limit))
            ORDER BY p.id DESC
            """)
        let packages = try rows.map { row in
            (try Self.decode(row), try row.decode(Bool.self, "late"), try row.decode(Bool.self, "unavailable"))
        }
        let counts = try await orderCounts(packages.map { $0.0.id })
        return packages.map { package, late, unavailable in
            PackageSummary(package: package, late: late, unavailable: unavailable, orderCounts: counts[package.id] ?? [:])
        }
    }

    /// The SQL conditions on `p` (a package row) of a list filter; with `statuses`, the
    /// statuses too (the paged list reads one index range per status instead).
    static func conditions(_ filter: PackageFilter, statuses: Bool) -> [PostgresQuery] {
        var conditions: [PostgresQuery] = []
        if statuses, !filter.statuses.isEmpty { conditions.append("p.status = ANY(\(filter.statuses.map(\.rawValue)))") }
        if let type = filter.type { conditions.append("p.type = \(type.rawValue)") }
        if let late = filter.late { conditions.append("\(Self.lateSQL) = \(late)") }
        if let unavailable = filter.unavailable { conditions.append("\(Self.unavailableSQL) = \(unavailable)") }
        if let text = filter.text, !text.isEmpty {
            conditions.append("p.label ILIKE \("%" + Self.escapeLike(text) + "%")")
        }
        return conditions
    }

    /// The summary of one package.
    public func summary(_ id: Int) async throws -> PackageSummary {
        let rows = try await connection.query("SELECT \(Self.columns) FROM central.packages p WHERE p.id = \(id)")
        guard let row = rows.first else { throw StoreError.notFound("package \(id)") }
        let package = try Self.decode(row)
        return PackageSummary(
            package: package, late: try row.decode(Bool.self, "late"), unavailable: try row.decode(Bool.self, "unavailable"),
            orderCounts: try await orderCounts([id])[id] ?? [:])
    }

    /// Orders of each package's current revision, counted by status.
    public func orderCounts(_ packageIDs: [Int]) async throws -> [Int: [String: Int]] {
        guard !packageIDs.isEmpty else { return [:] }
        let rows = try await connection.query(
            """
            SELECT o.package_id, o.status, count(*) AS n
            FROM central.packages p JOIN local.orders o ON o.package_id = p.id AND o.revision = p.revision
            WHERE p.id = ANY(\(packageIDs))
            GROUP BY o.package_id, o.status
            """)
        var counts: [Int: [String: Int]] = [:]
        for row in rows {
            counts[try row.decode(Int.self, "package_id"), default: [:]][try row.decode(String.self, "status")] =
                try row.decode(Int.self, "n")
        }
        return counts
    }

    /// The orders of the package's current revision, by entity code.
    public func ordersByEntity(_ id: Int) async throws -> [EntityOrder] {
        let rows = try await connection.query(
            """
            SELECT e.code, o.id, o.status
            FROM central.packages p
            JOIN local.orders o ON o.package_id = p.id AND o.revision = p.revision
            JOIN central.entities e ON e.id = o.entity_id
            WHERE p.id = \(id)
            ORDER BY e.code, o.id
            """)
        return try rows.map { row in
            EntityOrder(
                entityCode: try row.decode(String.self, "code"), orderID: try row.decode(Int.self, "id"),
                status: OrderStatus(rawValue: try row.decode(String.self, "status")) ?? .cancelled)
        }
    }

    /// Published packages an entity sees in its catalogue now: visible, and offered to
    /// every entity or to this one (frozen at publication). Newest first, ids below `cursor`.
    public func catalogue(entityID: Int, before cursor: Int?, limit: Int) async throws -> [CampaignPackage] {
        let rows = try await connection.query(
            """
            SELECT \(Self.columns) FROM central.packages p
            WHERE \(Self.inCatalogue(of: entityID)) AND (\(cursor) IS NULL OR p.id < \(cursor))
            ORDER BY p.id DESC LIMIT \(limit)
            """)
        return try rows.map(Self.decode)
    }

    /// The package if it is in the entity's catalogue now (the portal's package page); `nil`
    /// for any other, whatever it is: another entity's offer does not exist for this one.
    public func offered(_ id: Int, to entityID: Int) async throws -> CampaignPackage? {
        try await connection.query(
            "SELECT \(Self.columns) FROM central.packages p WHERE p.id = \(id) AND \(Self.inCatalogue(of: entityID))"
        ).first.map(Self.decode)
    }

    /// The catalogue's condition on `p`: published, no job pending, visible now, offered to
    /// every entity or to this one.
    static func inCatalogue(of entityID: Int) -> PostgresQuery {
        """
        p.status = 'published' AND p.pending_job_id IS NULL
          AND (p.visible_from IS NULL OR p.visible_from <= now())
          AND (p.visible_until IS NULL OR p.visible_until >= now())
          AND (p.audience_all OR EXISTS (
                SELECT 1 FROM local.package_offers a
                WHERE a.entity_id = \(entityID) AND a.package_id = p.id AND a.revision = p.revision))
        """
    }

    static func escapeLike(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}

import Domain
import Foundation
import Postgres

/// One line of a package's participation: an audience entity without an order of the
/// current revision (`no_response`), or an order of the current revision with its status.
public struct ParticipationItem: Sendable, Equatable {
    public var entityCode: String
    public var status: String
    public var orderID: Int?

    /// Where the next page starts: the entity code and the order id (0 without one).
    public var cursor: String { "\(entityCode):\(orderID ?? 0)" }
}

/// A page of participation, and the counts by status over all of it.
public struct Participation: Sendable, Equatable {
    public static let noResponse = "no_response"
    /// Every status an item may have, in the order the pages show them.
    public static let statuses = [noResponse] + OrderStatus.allCases.map(\.rawValue)

    public var items: [ParticipationItem]
    public var counts: [String: Int]
    /// How many entities the package reaches (its audience).
    public var audienceSize: Int
}

/// Where a participation page starts (after `code`, `orderID`).
public struct ParticipationCursor: Sendable, Equatable {
    public var code: String
    public var orderID: Int

    /// Reads `CODE:ORDER`; `nil` for anything else.
    public init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let orderID = Int(text[text.index(after: colon)...]), orderID >= 0
        else { return nil }
        self.code = String(text[..<colon])
        self.orderID = orderID
    }
}

extension PackageRepository {
    /// The `entity_id`s of the package's audience, as a query: every enabled entity; or
    /// the frozen audience of a published revision; or, before its publication, the listed
    /// entities and those carrying one of its tags, enabled ones only.
    public static func audienceEntities(of package: CampaignPackage) -> PostgresQuery {
        if package.audience == nil {
            return "SELECT id AS entity_id FROM central.entities WHERE disabled_at IS NULL"
        }
        if package.audienceIsFrozen {
            return """
                SELECT entity_id FROM local.package_offers
                WHERE package_id = \(package.id) AND revision = \(package.revision)
                """
        }
        return """
            SELECT e.id AS entity_id FROM central.entities e
            WHERE e.disabled_at IS NULL
              AND (e.id IN (SELECT entity_id FROM central.package_audience WHERE package_id = \(package.id))
                   OR e.tags && \(package.audienceTags))
            """
    }

    /// At publication: a listed or tagged audience becomes the rows of who was offered this
    /// revision, whatever tags entities are given or lose afterwards.
    func freezeAudience(of package: CampaignPackage) async throws {
        guard package.audience != nil, !package.audienceIsFrozen else { return }
        try await connection.query(
            """
            INSERT INTO local.package_offers (entity_id, package_id, revision)
            SELECT audience.entity_id, \(package.id), \(package.revision) FROM (\(Self.audienceEntities(of: package))) AS audience
            ORDER BY audience.entity_id
            ON CONFLICT DO NOTHING
            """)
        try await connection.query(
            "UPDATE central.packages SET offered_revision = revision WHERE id = \(package.id)")
    }

    /// Whether the entity is in the package's audience.
    public func isInAudience(_ package: CampaignPackage, entityID: Int) async throws -> Bool {
        if package.audience == nil { return true }
        return try await connection.query(
            "SELECT \(Self.audienceContains(package, entity: "\(entityID)::bigint")) AS inside"
        )[0].decode(Bool.self, "inside")
    }

    /// How many entities the package reaches.
    public func audienceSize(of package: CampaignPackage) async throws -> Int {
        try await connection.query("SELECT count(*) AS n FROM (\(Self.audienceEntities(of: package))) AS audience")[0]
            .decode(Int.self, "n")
    }

    /// Whether the entity `entity` (an SQL expression of an entity id) is in the package's
    /// audience, as a condition: the same three cases as ``audienceEntities(of:)``.
    static func audienceContains(_ package: CampaignPackage, entity: PostgresQuery) -> PostgresQuery {
        if package.audience == nil {
            return "EXISTS (SELECT 1 FROM central.entities x WHERE x.id = \(entity) AND x.disabled_at IS NULL)"
        }
        if package.audienceIsFrozen {
            return """
                EXISTS (SELECT 1 FROM local.package_offers a
                        WHERE a.entity_id = \(entity) AND a.package_id = \(package.id) AND a.revision = \(package.revision))
                """
        }
        return "\(entity) IN (\(audienceEntities(of: package)))"
    }

    /// The participation's lines, as a query with the columns `entity`, `status` and
    /// `order_id`, ordered by entity code then order: the page and the CSV export read it.
    ///
    /// Every line: it walks the entities in code order, each with its orders of the current
    /// revision (an index probe), keeping those in the audience (another probe) or with an
    /// order, so a page of 50 costs about 50 entities' probes however large the audience.
    /// Some statuses only: the lines of those statuses are few where walking would skip
    /// many entities, so it gathers them (the audience without an order, the package's
    /// orders of those statuses) and sorts what it found.
    static func participationLines(
        of package: CampaignPackage, statuses: [String], after cursor: ParticipationCursor?
    ) -> PostgresQuery {
        let ordered: PostgresQuery = "o.package_id = \(package.id) AND o.revision = \(package.revision)"
        guard !statuses.isEmpty else {
            // Every entity: the walked row itself says whether it is enabled.
            let inAudience: PostgresQuery =
                package.audience == nil ? "e.disabled_at IS NULL" : audienceContains(package, entity: "e.id")
            let cursorCondition: PostgresQuery =
                cursor.map { "(e.code, coalesce(o.id, 0)) > (\($0.code), \($0.orderID))" } ?? "true"
            return """
                SELECT e.code AS entity, coalesce(o.status, \(Participation.noResponse)) AS status, o.id AS order_id
                FROM central.entities e LEFT JOIN local.orders o ON o.entity_id = e.id AND \(ordered)
                WHERE (o.id IS NOT NULL OR \(inAudience)) AND \(cursorCondition)
                ORDER BY e.code, coalesce(o.id, 0)
                """
        }
        var parts: [PostgresQuery] = []
        if statuses.contains(Participation.noResponse) {
            parts.append(
                """
                SELECT e.code AS entity, \(Participation.noResponse) AS status, NULL::bigint AS order_id
                FROM (\(audienceEntities(of: package))) AS audience JOIN central.entities e ON e.id = audience.entity_id
                WHERE NOT EXISTS (SELECT 1 FROM local.orders o WHERE o.entity_id = audience.entity_id AND \(ordered))
                """)
        }
        let orderStatuses = statuses.filter { $0 != Participation.noResponse }
        if !orderStatuses.isEmpty {
            parts.append(
                """
                SELECT e.code AS entity, o.status, o.id AS order_id FROM local.orders o JOIN central.entities e ON e.id = o.entity_id
                WHERE \(ordered) AND o.status = ANY(\(orderStatuses))
                """)
        }
        let cursorCondition: PostgresQuery =
            cursor.map { "(line.entity, coalesce(line.order_id, 0)) > (\($0.code), \($0.orderID))" } ?? "true"
        return """
            SELECT line.entity, line.status, line.order_id FROM (\(PostgresQuery.joined(parts, separator: " UNION ALL "))) AS line
            WHERE \(cursorCondition)
            ORDER BY line.entity, coalesce(line.order_id, 0)
            """
    }

    /// The participation's counts, as rows `(part, status, n)`: the orders of the current
    /// revision by status (the package's index, index only), the audience's size, and how
    /// many audience entities ordered (`no_response` is the difference: no anti-join of the
    /// whole audience against the orders).
    static func participationCounts(of package: CampaignPackage) -> PostgresQuery {
        """
        SELECT 'count' AS part, o.status, count(*) AS n FROM local.orders o
        WHERE o.package_id = \(package.id) AND o.revision = \(package.revision)
        GROUP BY o.status
        UNION ALL
        SELECT 'size', NULL, count(*) FROM (\(audienceEntities(of: package))) AS audience
        UNION ALL
        SELECT 'ordered', NULL, count(DISTINCT o.entity_id) FROM local.orders o
        WHERE o.package_id = \(package.id) AND o.revision = \(package.revision)
          AND \(audienceContains(package, entity: "o.entity_id"))
        """
    }

    /// Who was offered the package's current revision and what each did: a page of lines,
    /// with the counts by status over every line (one statement).
    public func participation(
        of package: CampaignPackage, statuses: [String], after cursor: ParticipationCursor?, limit: Int
    ) async throws -> Participation {
        // A few thousand index entries: starting parallel workers costs more than they save
        // (measured: 23 ms with two workers, 6-10 ms without, bench/SCALE.md).
        try await connection.query("SET LOCAL max_parallel_workers_per_gather = 0")
        let rows = try await connection.query(
            """
            WITH page AS (\(Self.participationLines(of: package, statuses: statuses, after: cursor)) LIMIT \(limit))
            SELECT 'line' AS part, entity, status, order_id, NULL::bigint AS n FROM page
            UNION ALL
            SELECT counted.part, NULL, counted.status, NULL, counted.n FROM (\(Self.participationCounts(of: package))) AS counted
            """)
        var participation = Participation(
            items: [], counts: Dictionary(uniqueKeysWithValues: Participation.statuses.map { ($0, 0) }), audienceSize: 0)
        var ordered = 0
        for row in rows {
            switch try row.decode(String.self, "part") {
            case "line":
                participation.items.append(
                    ParticipationItem(
                        entityCode: try row.decode(String.self, "entity"), status: try row.decode(String.self, "status"),
                        orderID: try row.decode(Int?.self, "order_id")))
            case "count": participation.counts[try row.decode(String.self, "status")] = try row.decode(Int.self, "n")
            case "size": participation.audienceSize = try row.decode(Int.self, "n")
            default: ordered = try row.decode(Int.self, "n")
            }
        }
        participation.counts[Participation.noResponse] = participation.audienceSize - ordered
        return participation
    }
}

import Domain
import Foundation
import Postgres
import Store

/// Builds data through the store, in-process, for tests below the HTTP layer.
public struct StoreFixture: Sendable {
    public let store: Store
    public static let central = Principal.central(operatorID: 1, name: "fixture", role: .admin)
    /// The second pair of eyes: approves and publishes what ``central`` submitted.
    public static let approver = Principal.central(operatorID: 2, name: "fixture-approver", role: .approver)

    /// Who does `action` in the fixtures: ``central`` submits, ``approver`` decides.
    public static func actor(for action: PackageAction) -> Principal {
        action == .submit ? central : approver
    }

    public init(pool: PostgresPool) {
        self.store = Store(pool: pool)
    }

    /// Entities `<prefix>00001`… in one statement; returns their principals in code order.
    public func entities(_ count: Int, prefix: String = "E") async throws -> [Principal] {
        try await store.transaction { transaction in
            let rows = try await transaction.connection.query(
                """
                INSERT INTO central.entities (code, label, created_by)
                SELECT \(prefix) || lpad(n::text, 5, '0'), 'Entity ' || n, 'fixture' FROM generate_series(1, \(count)) n
                RETURNING id, code
                """)
            return try rows.map { .local(entityID: try $0.decode(Int.self, "id"), code: try $0.decode(String.self, "code"), operatorName: nil) }
                .sorted { $0.actorName < $1.actorName }
        }
    }

    /// A package moved through submit, approve and publish (or up to `status`).
    public func package(
        type: PackageType, audience: [String]? = nil, approvalMode: ApprovalMode = .manual,
        schedule: PackageSchedule = PackageSchedule(), upTo status: PackageStatus = .published
    ) async throws -> CampaignPackage {
        try await store.transaction { transaction in
            var package = try await transaction.packages.create(
                PackageDraft(
                    label: "Package", type: type, campaignName: "campaign", campaignFolder: "/folder", audience: audience,
                    approvalMode: approvalMode, schedule: schedule),
                by: Self.central)
            for (action, reached) in [(PackageAction.submit, PackageStatus.pendingApproval), (.approve, .approved), (.publish, .published)]
            where package.status != status {
                package = try await transaction.packages.transition(package.id, action, comment: nil, by: Self.actor(for: action))
                if reached == status { break }
            }
            return package
        }
    }

    /// One order per entity, as each entity.
    public func orders(of packageID: Int, by entities: [Principal]) async throws -> [CampaignOrder] {
        var orders: [CampaignOrder] = []
        for entity in entities {
            orders.append(
                try await store.transaction {
                    try await $0.orders.create(packageID: packageID, label: "order", comment: "", parameters: [:], by: entity)
                })
        }
        return orders
    }

    /// Counts rows of a query of the form `SELECT count(*) AS n …`.
    public func count(_ query: PostgresQuery) async throws -> Int {
        try await store.pool.withConnection { try await $0.query(query)[0].decode(Int.self, "n") }
    }
}

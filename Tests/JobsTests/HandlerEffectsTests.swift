import Domain
import Foundation
import Jobs
import Logging
import Postgres
import Store
import TestSupport
import Testing

/// Each handler's effects, run in-process against a real database, twice.
@Suite(.databasePerTest) struct HandlerEffectsTests {
    static let logger = Logger(label: "jobs-tests")

    struct World {
        let pool: PostgresPool
        let fixture: StoreFixture
        var store: Store { fixture.store }
    }

    func world() async throws -> World {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        return World(pool: pool, fixture: StoreFixture(pool: pool))
    }

    /// Requests the action and runs its handler `times` times, as a worker would (each run
    /// in its own transaction). Returns the job.
    func request(_ action: PackageAction, _ package: CampaignPackage, comment: String?, in world: World, times: Int = 2)
        async throws -> Job
    {
        let job = try await world.store.transaction {
            try await $0.packages.requestJob(package.id, action, comment: comment, by: StoreFixture.central)
        }
        let handler: any JobHandler = action == .cancel ? CancelPackageJob() : ReinitializePackageJob()
        for _ in 0..<times {
            try await world.store.transaction { try await handler.run(job, in: $0, logger: Self.logger) }
        }
        return job
    }

    @Test func cancellingALocalPackageCancelsPendingOrdersOnly() async throws {
        let world = try await world()
        defer { world.pool.close() }
        let entities = try await world.fixture.entities(4)
        let package = try await world.fixture.package(type: .local)
        let orders = try await world.fixture.orders(of: package.id, by: entities)
        let approver = StoreFixture.central
        _ = try await world.store.transaction { try await $0.orders.decide(orders[0].id, approve: true, comment: nil, by: approver) }

        _ = try await request(.cancel, package, comment: "recalled", in: world)

        let after = try await world.store.transaction { try await $0.packages.require(package.id) }
        #expect(after.status == .cancelled)
        #expect(after.pendingJobID == nil)
        #expect(after.lastAction?.action == "cancel")
        #expect(after.lastAction?.comment == "recalled")
        let statuses = try await world.store.transaction { transaction in
            try await transaction.orders.list(OrderFilter(packageID: package.id), before: nil, limit: 10).map(\.status)
        }
        #expect(statuses.filter { $0 == .approved }.count == 1)
        #expect(statuses.filter { $0 == .cancelled }.count == 3)
        // Three entities told once each, although the handler ran twice.
        #expect(try await world.fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'order_cancelled'") == 3)
        #expect(try await world.fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'package_cancelled'") == 0)
        // Gone from the catalogue.
        let catalogue = try await world.store.transaction {
            try await $0.packages.catalogue(entityID: entities[0].entityID ?? 0, before: nil, limit: 10)
        }
        #expect(catalogue.isEmpty)
        #expect(try await world.fixture.count("SELECT count(*) AS n FROM central.audit_journal WHERE action = 'cancel'") == 1)
    }

    @Test func cancellingACollaborativePackageStopsEverythingAndTellsEveryoneOnce() async throws {
        let world = try await world()
        defer { world.pool.close() }
        let entities = try await world.fixture.entities(6)
        let codes = entities.map { $0.actorName.replacingOccurrences(of: "entity:", with: "") }
        // Audience: the first four entities, three of which order. Entities 5 and 6 are not
        // concerned and must not hear of it.
        let package = try await world.fixture.package(type: .collaborative, audience: Array(codes[0..<4]))
        let orders = try await world.fixture.orders(of: package.id, by: Array(entities[0..<3]))
        _ = try await world.store.transaction {
            try await $0.orders.decide(orders[0].id, approve: true, comment: nil, by: StoreFixture.central)
        }
        let processes = try await world.store.transaction { transaction in
            [
                try await transaction.processes.register(packageID: package.id, kind: "workflow", name: "wf", by: StoreFixture.central),
                try await transaction.processes.register(packageID: package.id, kind: "delivery", name: "email", by: StoreFixture.central),
                try await transaction.processes.register(packageID: package.id, kind: "delivery", name: "sms", by: StoreFixture.central),
            ]
        }
        _ = try await world.store.transaction { try await $0.processes.update(processes[1].id, status: "paused", by: StoreFixture.central) }
        _ = try await world.store.transaction { try await $0.processes.update(processes[2].id, status: "finished", by: StoreFixture.central) }

        _ = try await request(.cancel, package, comment: "brand issue", in: world)

        let statuses = try await world.store.transaction {
            try await $0.orders.list(OrderFilter(packageID: package.id), before: nil, limit: 10).map(\.status)
        }
        #expect(statuses == [.cancelled, .cancelled, .cancelled])
        let reference = try await world.store.transaction { try await $0.processes.referenceCampaign(packageID: package.id) }
        #expect(reference?.status == "cancelled")
        #expect(reference?.processes.map(\.status) == ["stopped", "stopped", "finished"])
        #expect(try await world.fixture.count("SELECT count(*) AS n FROM central.process_events WHERE event = 'stopped'") == 2)
        let notified = try await world.store.pool.withConnection { connection in
            try await connection.query(
                """
                SELECT e.code, n.comment FROM local.notifications n JOIN central.entities e ON e.id = n.entity_id
                WHERE n.kind = 'package_cancelled' ORDER BY e.code
                """)
        }
        #expect(try notified.map { try $0.decode(String.self, "code") } == Array(codes[0..<4]))
        #expect(try notified.allSatisfy { try $0.decode(String?.self, "comment") == "brand issue" })
    }

    @Test func cancellingForEveryEntityReachesEveryEntity() async throws {
        let world = try await world()
        defer { world.pool.close() }
        _ = try await world.fixture.entities(25)
        let package = try await world.fixture.package(type: .collaborative, audience: nil)
        _ = try await request(.cancel, package, comment: "all", in: world)
        #expect(try await world.fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'package_cancelled'") == 25)
    }

    @Test func reinitializeStartsANewRevisionAndKeepsHistory() async throws {
        let world = try await world()
        defer { world.pool.close() }
        let entities = try await world.fixture.entities(3)
        let package = try await world.fixture.package(type: .collaborative)
        let orders = try await world.fixture.orders(of: package.id, by: entities)
        _ = try await world.store.transaction {
            try await $0.orders.decide(orders[0].id, approve: true, comment: nil, by: StoreFixture.central)
        }
        _ = try await world.store.transaction {
            try await $0.processes.register(packageID: package.id, kind: "workflow", name: "wf", by: StoreFixture.central)
        }

        _ = try await request(.reinitialize, package, comment: "new brief", in: world)

        let after = try await world.store.transaction { try await $0.packages.require(package.id) }
        #expect(after.status == .beingEdited)
        #expect(after.revision == 2)
        #expect(after.lastAction?.action == "reinitialize")
        let history = try await world.store.transaction {
            try await $0.orders.list(OrderFilter(packageID: package.id), before: nil, limit: 10)
        }
        #expect(history.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.approved, .cancelled, .cancelled])
        #expect(history.filter { $0.status == .cancelled }.allSatisfy { $0.cancelReason == "package_reinitialized" })
        let reference = try await world.store.transaction { try await $0.processes.referenceCampaign(packageID: package.id) }
        #expect(reference?.status == "being_edited")
        #expect(reference?.processes.isEmpty == true)
        #expect(try await world.fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'order_cancelled'") == 2)
        // The new revision goes through the cycle again; orders of revision 1 stay history.
        let summary = try await world.store.transaction { try await $0.packages.summary(package.id) }
        #expect(summary.orderCounts.isEmpty)
        let republished = try await world.store.transaction { transaction in
            for action in [PackageAction.submit, .approve, .publish] {
                _ = try await transaction.packages.transition(package.id, action, comment: nil, by: StoreFixture.actor(for: action))
            }
            return try await transaction.packages.require(package.id)
        }
        #expect(republished.status == .published)
        #expect(republished.revision == 2)
        let again = try await world.store.transaction {
            try await $0.orders.create(packageID: package.id, label: "r2", comment: "", parameters: [:], by: entities[0])
        }
        #expect(again.revision == 2)
    }

    @Test func scheduledPublicationRunsOnlyForTheApprovedRevision() async throws {
        let world = try await world()
        defer { world.pool.close() }
        _ = try await world.fixture.entities(2)
        let soon = Date().addingTimeInterval(3600)
        let package = try await world.fixture.package(
            type: .local, schedule: PackageSchedule(availableAt: soon), upTo: .approved)
        let job = try #require(
            try await world.store.transaction { try await $0.jobs.list(statuses: [.queued], before: nil, limit: 5) }.first)
        #expect(job.kind == .publishPackage)
        #expect(abs(job.runAt.timeIntervalSince(soon)) < 0.001)
        for _ in 0..<2 {
            try await world.store.transaction { try await PublishPackageJob().run(job, in: $0, logger: Self.logger) }
        }
        #expect(try await world.store.transaction { try await $0.packages.require(package.id) }.status == .published)
        #expect(try await world.fixture.count("SELECT count(*) AS n FROM local.notifications WHERE kind = 'package_available'") == 2)
    }
}

import Domain
import Logging
import Postgres
import Store
import TestSupport
import Testing

@testable import CampaignAPI

/// The hub's dispatch, driven step by step (no listener: each `dispatch()` stands for the
/// `NOTIFY` that would have triggered it).
@Suite(.database) struct NotificationHubTests {
    func approvedRow(for entity: Principal, _ store: Store, key: String) async throws -> Int {
        try await store.transaction { transaction in
            try await transaction.notifications.notify(
                entityID: entity.entityID ?? 0, kind: .orderApproved, packageID: nil, orderID: nil, revision: nil,
                comment: nil, eventKey: key)
            return try await transaction.notificationFeed.highestCursor()
        }
    }

    /// The interleaving of issue 10: a client registers for an entity nobody waited for
    /// while a dispatch's query runs, and a row of that entity commits after the client's
    /// own read. The row must reach the client through the next dispatch.
    @Test func aWaitRegisteredDuringADispatchGetsTheRowCommittedMeanwhile() async throws {
        let pool = try TestDatabase.get().makePool()
        defer { pool.close() }
        let fixture = StoreFixture(pool: pool)
        let entities = try await fixture.entities(2, prefix: "DURING")
        let (other, waited) = (entities[0], entities[1])
        let pause = TestGate()
        let hub = NotificationHub(store: fixture.store, logger: TestCluster.logger, afterSnapshot: { await pause.hold() })

        // Another entity's client waits, and the hub has read the feed once (it knows the head).
        let before = try await approvedRow(for: other, fixture.store, key: "first")
        let otherWait = hub.register(key: other.entityID ?? 0, after: before)
        defer { hub.cancel(otherWait) }
        let paused = Task { await hub.dispatch() }
        await pause.untilHeld()

        // While that dispatch holds its snapshot (only `other`), a client of `waited` registers
        // and reads its feed: nothing yet. Then its row commits.
        let ticket = hub.register(key: waited.entityID ?? 0, after: before)
        let ownRead = try await fixture.store.transaction(for: waited) {
            try await $0.notificationFeed.rows(entityID: waited.entityID ?? 0, after: before, limit: 100)
        }
        #expect(ownRead.isEmpty)
        let row = try await approvedRow(for: waited, fixture.store, key: "meanwhile")
        pause.release()
        await paused.value

        // The row's NOTIFY triggers the next dispatch.
        await hub.dispatch()
        let delivered = await hub.wait(ticket, timeout: .seconds(2))
        #expect(delivered.map(\.cursor) == [row])
    }

    /// Rows found for a wait before the request called `wait` are kept, once each, however
    /// many dispatches run in between.
    @Test func rowsHandedBeforeTheWaitBeginsArriveOnce() async throws {
        let pool = try TestDatabase.get().makePool()
        defer { pool.close() }
        let fixture = StoreFixture(pool: pool)
        let entity = try await fixture.entities(1, prefix: "ONCE")[0]
        let hub = NotificationHub(store: fixture.store, logger: TestCluster.logger)
        await hub.dispatch()
        let ticket = hub.register(key: entity.entityID ?? 0, after: 0)
        let first = try await approvedRow(for: entity, fixture.store, key: "a")
        await hub.dispatch()
        await hub.dispatch()
        let second = try await approvedRow(for: entity, fixture.store, key: "b")
        await hub.dispatch()
        #expect(await hub.wait(ticket, timeout: .seconds(2)).map(\.cursor) == [first, second])
    }

    /// A wait registered before the hub's first read of the feed is served all the same.
    @Test func aWaitRegisteredBeforeTheFirstDispatchIsServed() async throws {
        let pool = try TestDatabase.get().makePool()
        defer { pool.close() }
        let fixture = StoreFixture(pool: pool)
        let entity = try await fixture.entities(1, prefix: "FIRST")[0]
        let hub = NotificationHub(store: fixture.store, logger: TestCluster.logger)
        let ticket = hub.register(key: entity.entityID ?? 0, after: 0)
        let row = try await approvedRow(for: entity, fixture.store, key: "a")
        await hub.dispatch()
        #expect(await hub.wait(ticket, timeout: .seconds(2)).map(\.cursor) == [row])
    }
}

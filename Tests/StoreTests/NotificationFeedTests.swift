import Domain
import Foundation
import Postgres
import Store
import TestSupport
import Testing

@Suite struct NotificationFeedTests {
    /// Opens a transaction on its own connection and keeps it open until `commit()`.
    final class OpenTransaction: Sendable {
        let connection: PostgresConnection
        init(_ database: TestDatabase) async throws {
            connection = try await database.connect()
            try await connection.execute(unsafeSQL: "BEGIN")
        }
        func commit() async throws {
            try await connection.execute(unsafeSQL: "COMMIT")
            connection.close()
        }
    }

    func reader(_ pool: PostgresPool, entityID: Int, after: Int) async throws -> [Int] {
        try await Store(pool: pool).transaction {
            try await $0.notificationFeed.rows(entityID: entityID, after: after, limit: 100).map(\.cursor)
        }
    }

    @Test(.database) func writersCommittingOutOfOrderCannotMakeAReaderSkipARow() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let entity = try #require(try await StoreFixture(pool: pool).entities(1).first?.entityID)

        // Writer A writes its row and stays open.
        let first = try await OpenTransaction(database)
        try await NotificationWriter(connection: first.connection).notify(
            entityID: entity, kind: .orderApproved, packageID: nil, orderID: 1, revision: 1, comment: "A", eventKey: "a")
        // Writer B starts after A and tries to commit first: it must wait for A.
        let second = try await OpenTransaction(database)
        let writerB = Task {
            try await NotificationWriter(connection: second.connection).notify(
                entityID: entity, kind: .orderApproved, packageID: nil, orderID: 2, revision: 1, comment: "B", eventKey: "b")
            try await second.commit()
        }
        try await Task.sleep(for: .milliseconds(300))
        let blocked = try await pool.withConnection { connection in
            try await connection.query(
                "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )[0].decode(Int.self, "n")
        }
        #expect(blocked == 1, "writer B waits for writer A")
        // A reader in between sees neither row.
        #expect(try await reader(pool, entityID: entity, after: 0).isEmpty)

        try await first.commit()
        try await writerB.value
        let cursors = try await reader(pool, entityID: entity, after: 0)
        #expect(cursors.count == 2)
        #expect(cursors == cursors.sorted())
        let comments = try await Store(pool: pool).transaction {
            try await $0.notificationFeed.rows(entityID: entity, after: 0, limit: 10).map(\.comment)
        }
        #expect(comments == ["A", "B"])
    }

    /// The hazard the feed lock prevents, shown with plain inserts: a reader that follows
    /// the cursor skips the row that commits late. This is why writers take the lock.
    @Test(.database) func withoutTheFeedLockALateCommitIsSkipped() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let entity = try #require(try await StoreFixture(pool: pool).entities(1).first?.entityID)
        func insert(_ connection: PostgresConnection, _ key: String) async throws {
            try await connection.query(
                "INSERT INTO local.notifications (entity_id, kind, event_key) VALUES (\(entity), 'order_approved', \(key))")
        }
        let late = try await OpenTransaction(database)
        try await insert(late.connection, "late")  // draws the lower cursor, commits last
        let early = try await OpenTransaction(database)
        try await insert(early.connection, "early")
        try await early.commit()
        let seen = try await reader(pool, entityID: entity, after: 0)
        let resumeFrom = try #require(seen.last)
        try await late.commit()
        #expect(try await reader(pool, entityID: entity, after: resumeFrom).isEmpty)
        #expect(try await reader(pool, entityID: entity, after: 0).count == 2)
    }

    @Test(.database) func rowsPageInCursorOrderAndAcknowledgementsNeverMoveBack() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let store = Store(pool: pool)
        let entities = try await StoreFixture(pool: pool).entities(2)
        let (mine, theirs) = (entities[0].entityID ?? 0, entities[1].entityID ?? 0)
        for index in 0..<7 {
            try await store.transaction {
                try await $0.notifications.notify(
                    entityID: index % 2 == 0 ? mine : theirs, kind: .orderApproved, packageID: nil, orderID: index,
                    revision: 1, comment: nil, eventKey: "e\(index)")
            }
        }
        var cursor = 0
        var pages: [[Int]] = []
        while true {
            let page = try await store.transaction {
                try await $0.notificationFeed.rows(entityID: mine, after: cursor, limit: 3)
            }
            if page.isEmpty { break }
            #expect(page.allSatisfy { $0.entityID == mine })
            pages.append(page.compactMap(\.orderID))
            cursor = page.last?.cursor ?? cursor
        }
        #expect(pages == [[0, 2, 4], [6]])

        try await store.transaction { try await $0.notificationFeed.acknowledge(entityID: mine, cursor: cursor) }
        try await store.transaction { try await $0.notificationFeed.acknowledge(entityID: mine, cursor: 1) }
        let acknowledged = try await pool.withConnection {
            try await $0.query("SELECT cursor FROM local.notification_acks WHERE entity_id = \(mine)")[0].decode(Int.self, "cursor")
        }
        #expect(acknowledged == cursor)
        await #expect(throws: StoreError.self) {
            try await store.transaction { try await $0.notificationFeed.acknowledge(entityID: mine, cursor: cursor + 1000) }
        }
    }

    /// Polls are read in one statement (`NotificationFeed.rows(of:)`, outside any transaction
    /// when `FeedReader` runs it); the function it calls reads each poll as its own entity,
    /// and leaves the caller's scope alone.
    @Test(.database) func pollsAreOneStatementEachScopedToItsEntity() async throws {
        let database = try TestDatabase.get()
        let admin = database.makePool()
        defer { admin.close() }
        let entities = try await StoreFixture(pool: admin).entities(2)
        let (mine, theirs) = (entities[0].entityID ?? 0, entities[1].entityID ?? 0)
        for (index, entity) in [mine, theirs, mine].enumerated() {
            try await Store(pool: admin).transaction {
                try await $0.notifications.notify(
                    entityID: entity, kind: .orderApproved, packageID: nil, orderID: index, revision: 1, comment: nil,
                    eventKey: "e\(index)")
            }
        }
        // As the daemon's role, so that row level security applies.
        let service = PostgresPool(
            configuration: try PostgresConfiguration(database.serviceConnectionString), logger: TestCluster.logger)
        defer { service.close() }
        let store = Store(pool: service)
        func read(_ polls: [FeedPoll]) async throws -> [[EntityNotification]] {
            try await store.transaction { try await $0.notificationFeed.rows(of: polls) }
        }
        let first = try await FeedReader(store: store).rows(FeedPoll(key: mine, after: 0, limit: 1))
        #expect(first.map(\.orderID) == [0])
        let answers = try await read([
            FeedPoll(key: mine, after: 0, limit: 10), FeedPoll(key: theirs, after: 0, limit: 10),
            FeedPoll(key: mine, after: first[0].cursor, limit: 10), FeedPoll(key: theirs, after: 0, limit: 0),
            FeedPoll(key: mine, after: 0, limit: 1),
        ])
        #expect(answers.map { $0.compactMap(\.orderID) } == [[0, 2], [1], [2], [], [0]])
        #expect(answers.allSatisfy { $0.map(\.cursor) == $0.map(\.cursor).sorted() })
        #expect(try await read([]).isEmpty)

        // Inside a transaction scoped to one entity, a read for another is still that other
        // entity's rows only, and the transaction's own scope is back afterwards.
        try await store.transaction(for: .local(entityID: theirs, code: "theirs", operatorName: nil)) { transaction in
            let rows = try await transaction.notificationFeed.rows(entityID: mine, after: 0, limit: 10)
            #expect(rows.map(\.entityID) == [mine, mine])
            let scope = try await transaction.connection.query("SELECT current_setting('campaignd.entity_id') AS s")[0]
                .decode(String.self, "s")
            #expect(scope == String(theirs))
            let visible = try await transaction.connection.query("SELECT count(*) AS n FROM local.notifications")[0]
                .decode(Int.self, "n")
            #expect(visible == 1)
        }
        try await service.withConnection { connection in
            // No transaction is left open by a poll, and no entity setting stays behind.
            #expect(try await connection.query("SELECT current_setting('campaignd.entity_id', true) AS s")[0]
                .decode(String?.self, "s") ?? "" == "")
            // A NULL reads nothing rather than everything; arrays of different lengths are refused.
            for arguments in ["NULL, ARRAY[0], ARRAY[10]", "ARRAY[NULL::bigint], ARRAY[0], ARRAY[10]"] {
                let none = try await connection.query(
                    "SELECT count(*) AS n FROM local.notifications_after_each(\(unsafeSQL: arguments))")[0].decode(Int.self, "n")
                #expect(none == 0, "\(arguments)")
            }
            let error = try await #require(throws: PostgresError.self) {
                try await connection.query(
                    "SELECT * FROM local.notifications_after_each(ARRAY[\(mine), \(theirs)], ARRAY[0], ARRAY[10, 10])")
            }
            #expect(error.sqlState == "22023")
        }
    }

    /// Polls that arrive while a read runs wait, then are read together in one statement,
    /// each getting its own answer.
    @Test(.database) func pollsThatWaitAreReadTogether() async throws {
        let database = try TestDatabase.get()
        let admin = database.makePool()
        defer { admin.close() }
        let entities = try await StoreFixture(pool: admin).entities(3).map { $0.entityID ?? 0 }
        for (index, entity) in entities.enumerated() {
            for row in 0...index {
                try await Store(pool: admin).transaction {
                    try await $0.notifications.notify(
                        entityID: entity, kind: .orderApproved, packageID: nil, orderID: index * 10 + row, revision: 1,
                        comment: nil, eventKey: "e\(index)-\(row)")
                }
            }
        }
        // One connection, held by the test until every poll is in line.
        let service = PostgresPool(
            configuration: try PostgresConfiguration(database.serviceConnectionString),
            options: PostgresPoolOptions(minimumConnections: 0, maximumConnections: 1), logger: TestCluster.logger)
        defer { service.close() }
        let polls = (0..<30).map { FeedPoll(key: entities[$0 % 3], after: 0, limit: 1 + $0 % 4) }
        let expected = try await Store(pool: service).transaction { try await $0.notificationFeed.rows(of: polls) }
        #expect(expected.map(\.count) == polls.map { min($0.limit, entities.firstIndex(of: $0.key)! + 1) })

        let reader = FeedReader(store: Store(pool: service), concurrency: 1)
        let holder = Task {
            try await service.withConnection { _ in
                try await waitUntil("29 polls waiting behind the first") { reader.statistics.waiting == 29 }
            }
        }
        try await waitUntil("the test to hold the connection") { service.statistics.inUse == 1 }
        let answers = try await withThrowingTaskGroup(of: (Int, [EntityNotification]).self) { group in
            for (index, poll) in polls.enumerated() {
                group.addTask { (index, try await reader.rows(poll)) }
            }
            var answers = Array(repeating: [EntityNotification](), count: polls.count)
            for try await (index, rows) in group { answers[index] = rows }
            return answers
        }
        try await holder.value
        #expect(answers == expected)
        let statistics = reader.statistics
        #expect(statistics.polls == 30)
        #expect(statistics.statements == 1)
        #expect(statistics.waiting == 0)
    }

    /// A read that fails fails the polls it carried, and the next polls are read again.
    @Test func aFailedReadFailsItsPollsAndTheNextOnesStillRun() async throws {
        let unreachable = PostgresPool(
            configuration: try PostgresConfiguration("host=/nonexistent-campaignd-test connect_timeout=1"),
            options: PostgresPoolOptions(minimumConnections: 0, maximumConnections: 1, acquireTimeout: .seconds(5)),
            logger: TestCluster.logger)
        defer { unreachable.close() }
        let reader = FeedReader(store: Store(pool: unreachable), concurrency: 1)
        let failures = await withTaskGroup(of: Bool.self) { group in
            for entity in 1...10 {
                group.addTask {
                    do {
                        _ = try await reader.rows(FeedPoll(key: entity, after: 0, limit: 10))
                        return false
                    } catch {
                        return true
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 10)
        #expect(reader.statistics.waiting == 0)
        await #expect(throws: PostgresError.self) { try await reader.rows(FeedPoll(key: 1, after: 0, limit: 1)) }
    }

    @Test(.database) func pruningKeepsUnacknowledgedRowsUntilTheyExpire() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool()
        defer { pool.close() }
        let store = Store(pool: pool)
        let entity = try #require(try await StoreFixture(pool: pool).entities(1).first?.entityID)
        for index in 0..<4 {
            try await store.transaction {
                try await $0.notifications.notify(
                    entityID: entity, kind: .orderApproved, packageID: nil, orderID: index, revision: 1, comment: nil,
                    eventKey: "p\(index)")
            }
        }
        let cursors = try await reader(pool, entityID: entity, after: 0)
        // Two rows read and acknowledged, all four ten days old, one of them a hundred days old.
        try await store.transaction { try await $0.notificationFeed.acknowledge(entityID: entity, cursor: cursors[1]) }
        try await pool.withConnection { connection in
            try await connection.query("UPDATE local.notifications SET created_at = now() - interval '10 days'")
            try await connection.query(
                "UPDATE local.notifications SET created_at = now() - interval '100 days' WHERE cursor = \(cursors[3])")
        }
        let pruned = try await store.transaction {
            try await $0.notificationFeed.prune(retention: .seconds(7 * 86_400), expiry: .seconds(90 * 86_400))
        }
        #expect(pruned == 3)
        // The unacknowledged row that has not expired stays.
        #expect(try await reader(pool, entityID: entity, after: 0) == [cursors[2]])
    }
}

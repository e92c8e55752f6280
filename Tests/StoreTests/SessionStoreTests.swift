import Domain
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// Page sessions: found by the cookie's secret, seen at most once a minute, ended by the
/// idle timeout, by sign-out and by the operator being disabled.
@Suite(.databasePerTest) struct SessionStoreTests {
    @Test func sessionsEndWhenIdleClosedOrTheirOperatorIsDisabled() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool(PostgresPoolOptions(maximumConnections: 2))
        defer { pool.close() }
        let store = Store(pool: pool)
        let account = try await store.transaction {
            try await $0.operators.create(name: "anna", role: .editor, entityCode: nil, displayName: nil, by: StoreFixture.central)
        }
        let sessions = SessionStore(pool: pool, idleTimeout: .seconds(3600))
        let secret = try await sessions.open(for: account, address: "10.0.0.1", userAgent: "tests")
        let session = try #require(try await sessions.find(secret))
        #expect(session.principal == .central(operatorID: account.id, name: "anna", role: .editor))
        #expect(try await sessions.find(String(repeating: "0", count: 64)) == nil)
        #expect(try await sessions.find("not hex") == nil)

        func lastSeen() async throws -> Date {
            try await pool.withConnection { try await $0.query("SELECT last_seen_at FROM central.console_sessions")[0].decode(Date.self, "last_seen_at") }
        }
        // Seen within the minute: not written again; seen a minute later: written.
        let first = try await lastSeen()
        _ = try await sessions.find(secret)
        #expect(try await lastSeen() == first)
        try await pool.withConnection { try await $0.query("UPDATE central.console_sessions SET last_seen_at = now() - interval '2 minutes'") }
        let before = try await lastSeen()
        #expect(try await sessions.find(secret) != nil)
        #expect(try await lastSeen() > before)
        // Idle past the timeout: gone.
        try await pool.withConnection { try await $0.query("UPDATE central.console_sessions SET last_seen_at = now() - interval '61 minutes'") }
        #expect(try await sessions.find(secret) == nil)

        let second = try await sessions.open(for: account, address: nil, userAgent: nil)
        #expect(try await sessions.find(second) != nil)
        _ = try await store.transaction { try await $0.operators.update("anna", role: nil, displayName: nil, disabled: true, by: StoreFixture.central) }
        #expect(try await sessions.find(second) == nil)
        _ = try await store.transaction { try await $0.operators.update("anna", role: nil, displayName: nil, disabled: false, by: StoreFixture.central) }
        let found = try #require(try await sessions.find(second))
        try await sessions.close(found.id)
        #expect(try await sessions.find(second) == nil)
    }

    /// A remembered session is answered without the database until access changes are
    /// announced (``forgetAll()``, which the daemon's AccessWatch calls) or it is closed.
    @Test func aRememberedSessionIsForgottenWhenAccessChanges() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool(PostgresPoolOptions(maximumConnections: 2))
        defer { pool.close() }
        let account = try await Store(pool: pool).transaction {
            try await $0.operators.create(name: "bert", role: .viewer, entityCode: nil, displayName: nil, by: StoreFixture.central)
        }
        let sessions = SessionStore(pool: pool, cacheLifetime: .seconds(60))
        let secret = try await sessions.open(for: account, address: nil, userAgent: nil)
        #expect(try await sessions.find(secret) != nil)
        // Behind the cache's back (no announcement heard): still remembered.
        try await pool.withConnection { try await $0.query("UPDATE central.operators SET disabled_at = now() WHERE name = 'bert'") }
        #expect(try await sessions.find(secret) != nil)
        sessions.forgetAll()
        #expect(try await sessions.find(secret) == nil)
        // Closing a session forgets it at once on this daemon.
        try await pool.withConnection { try await $0.query("UPDATE central.operators SET disabled_at = NULL WHERE name = 'bert'") }
        let session = try #require(try await sessions.find(secret))
        try await sessions.close(session.id)
        #expect(try await sessions.find(secret) == nil)
    }
}

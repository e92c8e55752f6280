import Domain
import Foundation
import Postgres
import Store
import TestSupport
import Testing

/// Password hashes and checks: the parameters stored, salts, and the same work whether
/// or not the operator exists.
@Suite(.databasePerTest) struct PasswordTests {
    /// The daemon's hashes: OWASP's scrypt minimum, written into each hash. One
    /// derivation only: at N = 2^17 it takes seconds in a debug build.
    @Test func newHashesUseTheStandardParameters() async throws {
        let hasher = PasswordHasher()
        #expect(hasher.parameters == PasswordHasher.Parameters(logRounds: 17, blockSize: 8, parallelism: 1))
        let stored = try await hasher.hash("correct horse battery staple")
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        #expect(parts.count == 5 && parts[1] == "scrypt" && parts[2] == "ln=17,r=8,p=1")
        #expect(Data(base64Encoded: String(parts[3]) + "==")?.count == 16, "a 16-byte salt")
        #expect(Data(base64Encoded: String(parts[4]) + "=")?.count == 32, "a 32-byte hash")
        #expect(!hasher.needsRehash(stored))
        #expect(hasher.derivations == 1)
    }

    /// A fresh salt each time; the right password verifies, any other does not.
    @Test func hashesAreSaltedAndVerified() async throws {
        let hasher = PasswordHasher(parameters: .init(logRounds: 10, blockSize: 8, parallelism: 1))
        let first = try await hasher.hash("correct horse battery staple")
        let second = try await hasher.hash("correct horse battery staple")
        #expect(first != second)
        #expect(try await hasher.verify("correct horse battery staple", against: first))
        #expect(try await hasher.verify("correct horse battery staple", against: second))
        #expect(try await !hasher.verify("correct horse battery stapl", against: first))
        #expect(try await !hasher.verify("", against: "not a hash"))
    }

    /// Passwords longer than bcrypt's 72 bytes count whole (cheap parameters: this is about
    /// the input, not the cost).
    @Test func everyCharacterOfALongPasswordCounts() async throws {
        let hasher = PasswordHasher(parameters: .init(logRounds: 8, blockSize: 8, parallelism: 1))
        let long = String(repeating: "a", count: 1000)
        let stored = try await hasher.hash(long)
        #expect(try await hasher.verify(long, against: stored))
        #expect(try await !hasher.verify(String(repeating: "a", count: 999) + "b", against: stored))
    }

    /// A cheaper hash made earlier still verifies with its own parameters, and is due for a rehash.
    @Test func olderParametersStillVerify() async throws {
        let old = PasswordHasher(parameters: .init(logRounds: 10, blockSize: 8, parallelism: 1))
        let stored = try await old.hash("a long enough password")
        #expect(stored.contains("$ln=10,r=8,p=1$"))
        let current = PasswordHasher()
        #expect(try await current.verify("a long enough password", against: stored))
        #expect(current.needsRehash(stored))
    }

    /// An unknown name, a disabled operator, one without a password and a wrong password
    /// cost one derivation each, with the same parameters, and give the same answer.
    @Test func theCheckDoesTheSameWorkWhetherTheOperatorExistsOrNot() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool(PostgresPoolOptions(maximumConnections: 2))
        defer { pool.close() }
        let store = Store(pool: pool)
        // Cheap parameters for the stored hashes; the check of a missing one uses the
        // checker's own, which are the same here.
        let hasher = PasswordHasher(parameters: .init(logRounds: 10, blockSize: 8, parallelism: 1))
        let check = PasswordCheck(store: store, hasher: hasher, limits: .init(perOperator: 100, perAddress: 100))
        let hash = try await hasher.hash("the right password")
        try await store.transaction { transaction in
            for (name, disabled) in [("anna", false), ("dora", true), ("nopass", false)] {
                _ = try await transaction.operators.create(name: name, role: .viewer, entityCode: nil, displayName: nil, by: StoreFixture.central)
                if name != "nopass" { try await transaction.operators.setPasswordHash(hash, of: name, by: StoreFixture.central) }
                if disabled {
                    _ = try await transaction.operators.update(name, role: nil, displayName: nil, disabled: true, by: StoreFixture.central)
                }
            }
        }
        for name in ["anna", "nobody", "dora", "nopass"] {
            let before = hasher.derivations
            let outcome = try await check.check(name: name, password: name == "anna" ? "wrong password!" : "the right password", address: nil)
            #expect(outcome == .rejected, "\(name)")
            #expect(hasher.derivations - before == 1, "\(name)")
        }
        let before = hasher.derivations
        guard case .accepted(let account) = try await check.check(name: "anna", password: "the right password", address: nil) else {
            Issue.record("the right password was refused")
            return
        }
        #expect(account.name == "anna" && hasher.derivations - before == 1)
    }

    /// Wrong passwords are counted per name and per address; over a limit the check is
    /// refused without a derivation, with the seconds until the window ends.
    @Test func wrongPasswordsAreLimitedPerNameAndPerAddress() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool(PostgresPoolOptions(maximumConnections: 2))
        defer { pool.close() }
        let store = Store(pool: pool)
        let hasher = PasswordHasher(parameters: .init(logRounds: 8, blockSize: 8, parallelism: 1))
        let check = PasswordCheck(store: store, hasher: hasher, limits: .init(perOperator: 2, perAddress: 3, window: .seconds(600)))
        let hash = try await hasher.hash("the right password")
        try await store.transaction { transaction in
            for name in ["anna", "bert"] {
                _ = try await transaction.operators.create(name: name, role: .viewer, entityCode: nil, displayName: nil, by: StoreFixture.central)
                try await transaction.operators.setPasswordHash(hash, of: name, by: StoreFixture.central)
            }
        }
        #expect(try await check.check(name: "anna", password: "nope", address: "10.0.0.1") == .rejected)
        #expect(try await check.check(name: "anna", password: "nope", address: "10.0.0.2") == .rejected)
        // Anna's name is over its limit, whatever the address and the password.
        let limited = try await check.check(name: "anna", password: "the right password", address: "10.0.0.3")
        guard case .limited(let retryAfter) = limited else {
            Issue.record("expected a limit, got \(limited)")
            return
        }
        #expect((590...600).contains(retryAfter))
        let derived = hasher.derivations
        _ = try await check.check(name: "anna", password: "the right password", address: nil)
        #expect(hasher.derivations == derived, "a limited check derives nothing")
        // Bert is fine from elsewhere, and an address over its limit stops any name.
        #expect(try await check.check(name: "bert", password: "nope", address: "10.0.0.1") == .rejected)
        #expect(try await check.check(name: "nobody", password: "nope", address: "10.0.0.1") == .rejected)
        guard case .limited = try await check.check(name: "bert", password: "the right password", address: "10.0.0.1") else {
            Issue.record("the address should be limited")
            return
        }
        guard case .accepted = try await check.check(name: "bert", password: "the right password", address: "10.0.0.9") else {
            Issue.record("bert from another address should pass")
            return
        }
        // Once the window has passed, the count starts again.
        try await pool.withConnection { try await $0.query("UPDATE central.password_failures SET window_started = now() - interval '11 minutes'") }
        guard case .accepted = try await check.check(name: "anna", password: "the right password", address: "10.0.0.1") else {
            Issue.record("anna should pass once the window has passed")
            return
        }
    }

    /// `last_used_at` is written by a flush beside the requests, once a minute at most.
    @Test func tokenUseIsRecordedAtMostOnceAMinute() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool(PostgresPoolOptions(maximumConnections: 2))
        defer { pool.close() }
        let tokens = TokenStore(pool: pool, cacheLifetime: .seconds(5))
        let token = try await tokens.createOperatorToken(operatorName: "ops", by: nil)
        func lastUsed() async throws -> Date? {
            try await pool.withConnection { try await $0.query("SELECT last_used_at FROM central.api_tokens")[0].decode(Date?.self, "last_used_at") }
        }
        #expect(try await tokens.authenticate(token.text) != nil)
        #expect(try await lastUsed() == nil, "nothing is written by the request itself")
        try await tokens.flushUsage()
        let first = try #require(try await lastUsed())
        for _ in 0..<5 { _ = try await tokens.authenticate(token.text) }
        try await tokens.flushUsage()
        #expect(try await lastUsed() == first, "a second use within the minute writes nothing")
    }
}

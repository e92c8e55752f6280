import Domain
import Postgres
import Store
import TestSupport
import Testing

@Suite struct TokenStoreTests {
    /// Concurrent checks share lookups, and each still gets its own exact answer: the
    /// right principal for a good token, nothing for a wrong secret, an unknown lookup or
    /// a revoked token.
    @Test(.database) func concurrentChecksAreAnsweredExactly() async throws {
        let database = try TestDatabase.get()
        let pool = database.makePool(PostgresPoolOptions(maximumConnections: 2))
        defer { pool.close() }
        let entities = try await StoreFixture(pool: pool).entities(3)
        let tokens = TokenStore(pool: pool)
        var good: [(String, Principal)] = []
        for entity in entities {
            guard case .local(_, let code, _) = entity else { continue }
            let token = try #require(try await tokens.createEntityToken(entityCode: code, by: nil))
            good.append((token.text, entity))
        }
        let central = try await tokens.createOperatorToken(operatorName: "ops", by: nil)
        guard case .local(_, let secondCode, _) = entities[1] else { throw TokenStoreTestError() }
        let revoked = try #require(try await tokens.createEntityToken(entityCode: secondCode, by: nil))
        try await pool.withConnection {
            try await $0.query("UPDATE central.api_tokens SET revoked_at = now() WHERE lookup = \(revoked.lookup)")
        }
        let wrongSecret = String(good[0].0.dropLast()) + (good[0].0.hasSuffix("0") ? "1" : "0")
        let unknown = "cdt_" + String(repeating: "f", count: 80)

        var cases: [(String, Principal?)] = []
        for round in 0..<20 {
            cases.append(good[round % good.count])
            cases.append((wrongSecret, nil))
            cases.append((unknown, nil))
            cases.append((revoked.text, nil))
        }
        cases.append((central.text, .central(operatorID: 0, name: "ops", role: .admin)))
        let answers = try await withThrowingTaskGroup(of: (Int, Principal?).self) { group in
            for (index, (token, _)) in cases.enumerated() {
                group.addTask { (index, try await tokens.authenticate(token)) }
            }
            var answers = [Principal?](repeating: nil, count: cases.count)
            for try await (index, principal) in group { answers[index] = principal }
            return answers
        }
        for (index, (token, expected)) in cases.enumerated() {
            if case .central(_, let name, _)? = expected {
                guard case .central(_, let got, _)? = answers[index] else {
                    Issue.record("the central token was not recognized")
                    continue
                }
                #expect(got == name)
            } else {
                #expect(answers[index] == expected, "case \(index): \(token.prefix(20))…")
            }
        }
    }
}

struct TokenStoreTestError: Error {}

import Foundation
import TestSupport
import Testing

@Suite(.databasePerTest) struct IdempotencyTests {
    @Test func sameKeyAndBodyReplaysTheFirstAnswer() async throws {
        let api = try await APIHarness.start()
        let body = #"{"label": "Once", "type": "local", "campaign_name": "o", "campaign_folder": "/o"}"#
        let first = try await api.central.post("/v1/packages", body, headers: ["Idempotency-Key": "k-1"])
        #expect(first.status == 201)
        let second = try await api.central.post("/v1/packages", body, headers: ["Idempotency-Key": "k-1"])
        #expect(second.status == 201)
        #expect(second.text == first.text)
        #expect(second.headers["idempotent-replayed"] == "true")
        #expect(try await api.central.get("/v1/packages").items().count == 1)

        let other = try await api.central.post(
            "/v1/packages", body.replacingOccurrences(of: "Once", with: "Twice"), headers: ["Idempotency-Key": "k-1"])
        #expect(other.status == 422)
        #expect(try other.string("code") == "idempotency_key_reused")
        // Without a key, the same body creates another package.
        #expect(try await api.central.post("/v1/packages", body).status == 201)
        #expect(try await api.central.get("/v1/packages").items().count == 2)
    }

    @Test func concurrentReplaysDoTheWorkOnce() async throws {
        let api = try await APIHarness.start()
        let id = try await api.package(upTo: "being_edited")
        let client = api.central
        let answers = try await withThrowingTaskGroup(of: HTTPTestResponse.self) { group in
            for _ in 0..<8 {
                group.addTask { try await client.post("/v1/packages/\(id)/submit", "{}", headers: ["Idempotency-Key": "submit-1"]) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.status == 200 })
        #expect(Set(answers.map(\.text)).count == 1)
        let journal = try await api.central.get("/v1/packages/\(id)/journal").items()
        #expect(journal.filter { $0["action"] as? String == "submit" }.count == 1)
    }

    @Test func aFailedRequestDoesNotBurnItsKey() async throws {
        let api = try await APIHarness.start()
        let id = try await api.package(upTo: "being_edited")
        let refused = try await api.approver.post("/v1/packages/\(id)/approve", "{}", headers: ["Idempotency-Key": "a-1"])
        #expect(refused.status == 409)
        _ = try await api.central.post("/v1/packages/\(id)/submit")
        let accepted = try await api.approver.post("/v1/packages/\(id)/approve", "{}", headers: ["Idempotency-Key": "a-1"])
        #expect(accepted.status == 200)
    }
}

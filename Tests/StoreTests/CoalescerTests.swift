import Synchronization
import TestSupport
import Testing

@testable import Store

@Suite struct CoalescerTests {
    struct Unavailable: Error {}

    /// A read that fails before taking its batch (no connection) fails every request
    /// waiting, at once, instead of letting each wait for the same database in turn.
    @Test func aReadThatFindsNoConnectionFailsEveryWaitingRequest() async throws {
        let reads = Mutex(0)
        let box = Mutex<Coalescer<Int, Int>?>(nil)
        let coalescer = Coalescer<Int, Int>(concurrency: 1, batch: 100) { take in
            let read = reads.withLock { $0 += 1; return $0 }
            // The first read waits until every other request is in line, then fails
            // without taking them.
            if read == 1 {
                try await waitUntil("9 requests waiting") { box.withLock { $0?.statistics.waiting } == 9 }
            }
            throw Unavailable()
        }
        box.withLock { $0 = coalescer }
        let failures = await withTaskGroup(of: Bool.self) { group in
            for request in 0..<10 {
                group.addTask {
                    do {
                        _ = try await coalescer.answer(request)
                        return false
                    } catch {
                        return error is Unavailable
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 10)
        #expect(reads.withLock { $0 } == 1)
        #expect(coalescer.statistics.waiting == 0)
        // The next request reads again.
        await #expect(throws: Unavailable.self) { try await coalescer.answer(10) }
        #expect(reads.withLock { $0 } == 2)
    }

    /// Requests waiting behind a read are answered by the next one, each with its own answer.
    @Test func waitingRequestsShareTheNextRead() async throws {
        let batches = Mutex<[[Int]]>([])
        let box = Mutex<Coalescer<Int, Int>?>(nil)
        let coalescer = Coalescer<Int, Int>(concurrency: 1, batch: 100) { take in
            if batches.withLock({ $0.isEmpty }) {
                try await waitUntil("19 requests waiting") { box.withLock { $0?.statistics.waiting } == 19 }
            }
            let requests = take()
            batches.withLock { $0.append(requests) }
            return requests.map { $0 * 10 }
        }
        box.withLock { $0 = coalescer }
        let answers = try await withThrowingTaskGroup(of: (Int, Int).self) { group in
            for request in 0..<20 {
                group.addTask { (request, try await coalescer.answer(request)) }
            }
            return try await group.reduce(into: [Int: Int]()) { $0[$1.0] = $1.1 }
        }
        #expect(answers == Dictionary(uniqueKeysWithValues: (0..<20).map { ($0, $0 * 10) }))
        let sizes = batches.withLock { $0.map(\.count) }
        #expect(sizes == [20])
    }
}

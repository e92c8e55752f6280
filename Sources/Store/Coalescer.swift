import CoreMetrics
import Synchronization

/// Answers concurrent requests with shared reads.
///
/// At most `concurrency` reads run at a time. A request that arrives while they all run
/// waits; the next read carries every request waiting by then (up to `batch`), so the
/// database runs one statement for many requests. A lone request is read at once:
/// coalescing adds no delay when there is nothing to coalesce.
///
/// No task is spawned: the request that starts a read reads for the others, answers
/// them, then hands the next read to the first request still waiting.
final class Coalescer<Request: Sendable, Answer: Sendable>: Sendable {
    /// Reads the answers of a batch, in the order of its requests. `take` gives the
    /// requests (the caller's first); call it once, as late as possible (with a database
    /// connection at hand), so that it takes every request waiting by then.
    typealias Read = @Sendable (_ take: () -> [Request]) async throws -> [Answer]

    private enum Turn: Sendable {
        case done(Result<Answer, any Error>)
        case lead
    }

    private struct Waiter {
        let request: Request
        let continuation: CheckedContinuation<Turn, Never>
    }

    private struct State {
        var waiting: [Waiter] = []
        var reading = 0
        var requests = 0
        var reads = 0
    }

    private let state = Mutex(State())
    let concurrency: Int
    let batch: Int
    let read: Read
    let counters: (requests: Counter, reads: Counter)?

    /// - Parameter counters: counted as reads run: the requests they answered, and the reads.
    init(concurrency: Int, batch: Int, counters: (requests: Counter, reads: Counter)? = nil, read: @escaping Read) {
        self.concurrency = max(1, concurrency)
        self.batch = max(1, batch)
        self.counters = counters
        self.read = read
    }

    /// Requests waiting for a read right now, and requests and reads so far.
    var statistics: (waiting: Int, requests: Int, reads: Int) {
        state.withLock { ($0.waiting.count, $0.requests, $0.reads) }
    }

    func answer(_ request: Request) async throws -> Answer {
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let lead = state.withLock { state in
                if state.reading < concurrency {
                    state.reading += 1
                    return true
                }
                state.waiting.append(Waiter(request: request, continuation: continuation))
                return false
            }
            if lead { continuation.resume(returning: .lead) }
        }
        switch turn {
        case .done(let result): return try result.get()
        case .lead: return try await lead(request)
        }
    }

    /// Reads for `own` and the requests waiting, answers them, and passes the turn on.
    private func lead(_ own: Request) async throws -> Answer {
        var others: [Waiter] = []
        var taken = false
        let result: Result<[Answer], any Error>
        do {
            let answers = try await read {
                if !taken {
                    taken = true
                    others = state.withLock { state in
                        let group = Array(state.waiting.prefix(self.batch - 1))
                        state.waiting.removeFirst(group.count)
                        state.requests += group.count + 1
                        state.reads += 1
                        return group
                    }
                }
                return [own] + others.map(\.request)
            }
            guard answers.count == others.count + 1 else {
                throw CoalescerError(requests: others.count + 1, answers: answers.count)
            }
            result = .success(answers)
        } catch {
            result = .failure(error)
        }
        if !taken {
            // The read failed before it took its batch (no connection: the database is
            // down or the pool exhausted). Every request waiting would wait for the same,
            // one after the other: they all get this answer now.
            others = state.withLock { state in
                defer { state.waiting.removeAll() }
                return state.waiting
            }
        }
        if taken, let counters {
            counters.requests.increment(by: others.count + 1)
            counters.reads.increment()
        }
        for (index, waiter) in others.enumerated() {
            waiter.continuation.resume(returning: .done(result.map { $0[index + 1] }))
        }
        let next = state.withLock { state -> Waiter? in
            if state.waiting.isEmpty {
                state.reading -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
        return try result.get()[0]
    }
}

/// A read answered a batch with the wrong number of answers (a bug, not bad input).
struct CoalescerError: Error, CustomStringConvertible {
    let requests: Int
    let answers: Int
    var description: String { "a coalesced read gave \(answers) answers to \(requests) requests" }
}

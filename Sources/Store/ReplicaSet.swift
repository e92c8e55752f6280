import CoreMetrics
import Foundation
import Logging
import Postgres
import Synchronization

/// A position in the primary's write-ahead log (`pg_lsn`): what a hot standby has
/// replayed up to, or what a commit must be replayed past before a standby shows it.
public struct WALPosition: Sendable, Comparable, Hashable, CustomStringConvertible {
    public let value: UInt64

    public init(_ value: UInt64) { self.value = value }

    /// `16/B374D848`, as PostgreSQL writes a `pg_lsn`.
    public init?(_ text: String) {
        let halves = text.split(separator: "/")
        guard halves.count == 2, let high = UInt64(halves[0], radix: 16), let low = UInt64(halves[1], radix: 16) else {
            return nil
        }
        value = high << 32 | low
    }

    public static func < (a: Self, b: Self) -> Bool { a.value < b.value }
    public var description: String { String(value >> 32, radix: 16, uppercase: true) + "/" + String(value & 0xFFFF_FFFF, radix: 16, uppercase: true) }
}

/// The hot standbys a daemon reads from (`--replica-url`), and what it knows of each.
///
/// A monitor reads, every `interval`, the primary's WAL position, then each standby's
/// replayed position. A standby that has replayed what the primary had written just
/// before is caught up; its lag is the time since it was last seen caught up. A standby
/// that lags more than `maxLag`, does not answer, or is no standby, is not used (with a
/// log line when that changes, and the metrics); reads then go to the primary.
///
/// A read that must see a given commit (the client's own last write; a row a `NOTIFY`
/// announced) names the WAL position it needs, and only a standby known to have replayed
/// past it qualifies. Standbys replay commits in the primary's commit order, so a
/// standby's snapshot holds a prefix of each commit-ordered feed: a poll through it may
/// see fewer rows than the primary, never a gap (README, "Scale-out").
public final class ReplicaSet: Sendable {
    public struct Status: Sendable, Equatable {
        /// The connection string without its password.
        public var redactedURL: String
        /// Seconds behind the primary, `nil` while unknown (never reached).
        public var lagSeconds: Double?
        public var used: Bool
        public var problem: String?
    }

    final class Replica: Sendable {
        let index: Int
        let pool: PostgresPool
        let redactedURL: String
        let state = Mutex(State())
        let lag: Gauge
        let usable: Gauge
        let reads: Counter

        struct State {
            var replayed: WALPosition?
            var lastCaughtUp: ContinuousClock.Instant?
            var lagSeconds: Double?
            var problem: String? = "not checked yet"
        }

        init(index: Int, pool: PostgresPool) {
            self.index = index
            self.pool = pool
            redactedURL = pool.configuration.description
            let label = [("replica", String(index))]
            lag = Gauge(label: "campaignd_replica_lag_seconds", dimensions: label)
            usable = Gauge(label: "campaignd_replica_usable", dimensions: label)
            reads = Counter(label: "campaignd_replica_reads_total", dimensions: label)
        }
    }

    let primary: PostgresPool
    let replicas: [Replica]
    /// Where the fences of the other daemons are heard (`LISTEN`, `--listen-url`).
    let listenConfiguration: PostgresConfiguration
    public let maxLag: Duration
    let interval: Duration
    let logger: Logger
    private let turn = Atomic<Int>(0)
    private let primaryReads = Counter(label: "campaignd_primary_reads_total")
    private let fencesHeard = Counter(label: "campaignd_replica_fences_heard_total")
    /// A fence for every client: until the other daemons' announcements are heard, and
    /// from each (re)connection of that `LISTEN` on, since what was announced while it was
    /// down is lost. Reads need a standby replayed past it (the primary at first).
    private let blanket = Mutex<WALPosition?>(WALPosition(.max))
    /// The WAL position each client's last write committed at (see ``fence(_:)``).
    private let fences = Mutex<[String: (position: WALPosition, at: ContinuousClock.Instant)]>([:])

    /// Daemons tell each other their clients' fences on this channel: `key position`.
    public static let fenceChannel = "campaignd_fences"

    public init(
        primary: PostgresPool, replicas: [PostgresConfiguration], maxLag: Duration = .seconds(5),
        interval: Duration = .milliseconds(500), poolSize: Int = 4, listenConfiguration: PostgresConfiguration? = nil,
        logger: Logger
    ) {
        self.primary = primary
        self.listenConfiguration = listenConfiguration ?? primary.configuration
        self.replicas = replicas.enumerated().map { index, configuration in
            Replica(
                index: index + 1,
                pool: PostgresPool(
                    configuration: configuration, options: PostgresPoolOptions(minimumConnections: 0, maximumConnections: poolSize),
                    logger: logger))
        }
        self.maxLag = maxLag
        self.interval = interval
        self.logger = logger
    }

    public var isEmpty: Bool { replicas.isEmpty }

    /// Whether a standby's error means it cannot serve, so that the primary answers: the
    /// connection is gone or refused (no SQLSTATE, or class 08), the standby is shutting
    /// down (57P01), or it cancelled the read to replay a conflicting change (40001).
    public static func isStandbyFailure(_ error: any Error) -> Bool {
        guard let error = error as? PostgresError else { return false }
        guard let state = error.sqlState else { return true }
        return state.hasPrefix("08") || state == "57P01" || state == "40001"
    }

    /// Each standby as `/readyz` reports it.
    public var statuses: [Status] {
        replicas.map { replica in
            let state = replica.state.withLock { $0 }
            return Status(
                redactedURL: replica.redactedURL, lagSeconds: state.lagSeconds, used: usable(state), problem: state.problem)
        }
    }

    private func usable(_ state: Replica.State) -> Bool {
        state.problem == nil && (state.lagSeconds ?? .infinity) <= maxLag.seconds
    }

    /// A pool to read from: a usable standby that has replayed at least `position` (taken
    /// in turn), else the primary.
    public func pool(replayedPast position: WALPosition?) -> PostgresPool {
        let candidates = replicas.filter { replica in
            let state = replica.state.withLock { $0 }
            guard usable(state), let replayed = state.replayed else { return false }
            return position.map { replayed >= $0 } ?? true
        }
        guard !candidates.isEmpty else {
            primaryReads.increment()
            return primary
        }
        let chosen = candidates[turn.add(1, ordering: .relaxed).oldValue % candidates.count]
        chosen.reads.increment()
        return chosen.pool
    }

    /// Like ``pool(replayedPast:)``, but asks a usable standby itself, for up to `patience`,
    /// whether it has replayed `position` yet (the monitor's knowledge is up to `interval`
    /// old): for reads right after a commit, such as the long-poll hub's after a `NOTIFY`.
    public func pool(replayedPast position: WALPosition, patience: Duration) async -> PostgresPool {
        let known = pool(replayedPast: position)
        guard known === primary else { return known }
        let usable = replicas.filter { self.usable($0.state.withLock { $0 }) }
        guard let replica = usable.isEmpty ? nil : usable[turn.add(1, ordering: .relaxed).oldValue % usable.count] else {
            return primary
        }
        let deadline = ContinuousClock.now + patience
        repeat {
            if let replayed = try? await Self.replayed(replica.pool), replayed >= position {
                replica.state.withLock { $0.replayed = max($0.replayed ?? replayed, replayed) }
                replica.reads.increment()
                return replica.pool
            }
            try? await Task.sleep(for: .milliseconds(2))
        } while ContinuousClock.now < deadline
        primaryReads.increment()
        return primary
    }

    // MARK: Read-your-writes

    /// Records that `client` (an entity's or the central side's key) wrote, at the
    /// primary's current WAL position: its reads go to standbys that replayed past it.
    /// The same statement announces the fence to the other daemons (`NOTIFY`), which
    /// record it as it arrives: before the write's answer has left this daemon, in practice.
    public func fence(_ client: String) async {
        guard !replicas.isEmpty else { return }
        do {
            let text = try await primary.withConnection {
                try await $0.query(
                    """
                    SELECT w.lsn::text AS position, pg_notify(\(Self.fenceChannel), \(client) || ' ' || w.lsn::text)
                    FROM pg_current_wal_insert_lsn() AS w (lsn)
                    """)[0].decode(String.self, "position")
            }
            guard let position = WALPosition(text) else { throw PostgresError(code: .decoding, message: "not a WAL position: \(text)") }
            record(client, at: position)
        } catch {
            logger.warning("cannot read the primary's WAL position; reads stay on the primary a while", metadata: ["error": "\(error)"])
            record(client, at: WALPosition(.max))
        }
    }

    private func record(_ client: String, at position: WALPosition) {
        let now = ContinuousClock.now
        fences.withLock { fences in
            if let known = fences[client], known.position > position { return }
            fences[client] = (position, now)
            // A fence older than a minute is past every standby still in use.
            if fences.count > 10_000 { fences = fences.filter { now - $0.value.at < .seconds(60) } }
        }
    }

    /// Records the fences other daemons announce, until cancelled.
    func hearFences() async {
        let listener = PostgresListener(configuration: listenConfiguration, channels: [Self.fenceChannel], logger: logger)
        for await event in listener {
            guard case .notification(let notification) = event else {
                // Listening (again): whatever was announced before is covered by a fence
                // at the primary's position now.
                let now = try? await Self.written(primary)
                blanket.withLock { $0 = now ?? WALPosition(.max) }
                continue
            }
            fencesHeard.increment()
            let parts = notification.payload.split(separator: " ")
            guard parts.count == 2, let position = WALPosition(String(parts[1])) else { continue }
            record(String(parts[0]), at: position)
        }
    }

    /// The WAL position `clients`' reads must see (the latest of their writes), if any.
    public func fence(of clients: [String]) -> WALPosition? {
        guard !replicas.isEmpty else { return nil }
        let now = ContinuousClock.now
        let everyone = blanket.withLock { $0 }
        let own = fences.withLock { fences in
            clients.compactMap { client -> WALPosition? in
                guard let fence = fences[client] else { return nil }
                guard now - fence.at < .seconds(60) else {
                    fences[client] = nil
                    return nil
                }
                return fence.position
            }.max()
        }
        return [own, everyone].compactMap { $0 }.max()
    }

    // MARK: Monitoring

    /// Checks the standbys every `interval` until cancelled.
    public func monitor() async {
        guard !replicas.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.hearFences() }
            while !Task.isCancelled {
                await check()
                try? await Task.sleep(for: interval)
            }
            group.cancelAll()
        }
        for replica in replicas { replica.pool.close() }
    }

    /// One round: the primary's position, then each standby's.
    func check() async {
        let written = try? await Self.written(primary)
        await withTaskGroup(of: Void.self) { group in
            for replica in replicas {
                group.addTask { await self.check(replica, against: written) }
            }
        }
    }

    private func check(_ replica: Replica, against written: WALPosition?) async {
        let now = ContinuousClock.now
        var problem: String?
        var replayed: WALPosition?
        do {
            let row = try await replica.pool.withConnection { connection in
                try await connection.query(
                    "SELECT pg_is_in_recovery() AS standby, pg_last_wal_replay_lsn()::text AS replayed")[0]
            }
            if try row.decode(Bool.self, "standby") {
                replayed = try row.decode(String?.self, "replayed").flatMap(WALPosition.init)
            } else {
                problem = "not a hot standby (pg_is_in_recovery() is false)"
            }
        } catch {
            problem = "unreachable: \(error)"
        }
        let (before, after, state) = replica.state.withLock { state -> (Bool, Bool, Replica.State) in
            let before = usable(state)
            state.problem = problem
            if let replayed {
                state.replayed = replayed
                if let written, replayed >= written { state.lastCaughtUp = now }
                state.lagSeconds = state.lastCaughtUp.map { (now - $0).seconds } ?? nil
            }
            return (before, usable(state), state)
        }
        replica.lag.record(state.lagSeconds ?? -1)
        replica.usable.record(after ? 1 : 0)
        if before != after {
            logger.log(
                level: after ? .notice : .warning, after ? "replica in use" : "replica skipped: reads go to the primary",
                metadata: [
                    "replica": "\(replica.redactedURL)", "lag_s": "\(state.lagSeconds.map { String(format: "%.3f", $0) } ?? "unknown")",
                    "problem": "\(state.problem ?? (after ? "none" : "lags more than \(maxLag.seconds) s"))",
                ])
        }
    }

    /// The primary's WAL insert position: past every commit that has returned, even with
    /// `synchronous_commit = off`, where the write position may still be behind it.
    static func written(_ pool: PostgresPool) async throws -> WALPosition {
        let text = try await pool.withConnection {
            try await $0.query("SELECT pg_current_wal_insert_lsn()::text AS position")[0].decode(String.self, "position")
        }
        guard let position = WALPosition(text) else {
            throw PostgresError(code: .decoding, message: "not a WAL position: \(text)")
        }
        return position
    }

    static func replayed(_ pool: PostgresPool) async throws -> WALPosition? {
        try await pool.withConnection {
            try await $0.query("SELECT pg_last_wal_replay_lsn()::text AS position")[0].decode(String?.self, "position")
        }.flatMap(WALPosition.init)
    }

    /// The primary's current position (for a read that must see what just committed).
    public func primaryPosition() async throws -> WALPosition { try await Self.written(primary) }
}

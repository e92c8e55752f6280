import Domain
import Foundation
import Postgres

/// A workflow or delivery of a reference campaign.
public struct CampaignProcess: Sendable, Equatable {
    public var id: Int
    public var packageID: Int
    public var kind: String
    public var name: String
    public var status: String
}

/// The reference campaign of a collaborative package, with its active processes.
public struct ReferenceCampaign: Sendable, Equatable {
    public var name: String
    public var status: String
    public var processes: [CampaignProcess]
}

/// Reference campaigns and processes (`central.reference_campaigns`, `central.processes`).
public struct ProcessRepository: Sendable {
    let connection: PostgresConnection

    public static let eventChannel = "campaignd_processes"
    static let kinds = ["workflow", "delivery"]
    /// Allowed process status changes: running ⇄ paused, then stopped or finished for good.
    static let transitions: [String: Set<String>] = [
        "running": ["paused", "stopped", "finished"], "paused": ["running", "stopped", "finished"],
    ]

    public func referenceCampaign(packageID: Int) async throws -> ReferenceCampaign? {
        let rows = try await connection.query(
            "SELECT name, status FROM central.reference_campaigns WHERE package_id = \(packageID)")
        guard let row = rows.first else { return nil }
        let processes = try await connection.query(
            """
            SELECT id, package_id, kind, name, status FROM central.processes
            WHERE package_id = \(packageID) AND archived_at IS NULL ORDER BY id
            """)
        return ReferenceCampaign(
            name: try row.decode(String.self, "name"), status: try row.decode(String.self, "status"),
            processes: try processes.map(Self.decode))
    }

    /// The execution engine registers a running process on a collaborative package.
    public func register(packageID: Int, kind: String, name: String, by actor: Principal) async throws -> CampaignProcess {
        var problems: [FieldProblem] = []
        if !Self.kinds.contains(kind) { problems.append(FieldProblem(field: "kind", message: "must be one of workflow, delivery")) }
        problems += PackageRules.checkLabel(name, field: "name")
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
        let package = try await PackageRepository(connection: connection).require(packageID, lock: true)
        guard package.type == .collaborative else {
            throw StoreError.conflict(code: "not_collaborative", message: "only a collaborative package has a reference campaign")
        }
        guard package.status != .cancelled, package.pendingJobID == nil else {
            throw StoreError.conflict(code: "conflict", message: "the package is cancelled or being cancelled")
        }
        let rows = try await connection.query(
            """
            INSERT INTO central.processes (package_id, revision, kind, name) VALUES (\(packageID), \(package.revision), \(kind), \(name))
            RETURNING id, package_id, kind, name, status
            """)
        let process = try Self.decode(rows[0])
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "register_process", subject: "process", subjectID: process.id,
            packageID: packageID, after: .object(["kind": .string(kind), "name": .string(name), "status": .string("running")]))
        return process
    }

    /// The execution engine reports a status; campaignd records it (and announces a stop).
    public func update(_ id: Int, status: String, by actor: Principal) async throws -> CampaignProcess {
        let rows = try await connection.query(
            "SELECT id, package_id, kind, name, status FROM central.processes WHERE id = \(id) AND archived_at IS NULL FOR UPDATE")
        guard let row = rows.first else { throw StoreError.notFound("process \(id)") }
        let before = try Self.decode(row)
        guard ["running", "paused", "stopped", "finished"].contains(status) else {
            throw StoreError.validation(
                ValidationFailure(problems: [FieldProblem(field: "status", message: "must be one of running, paused, stopped, finished")]))
        }
        if before.status == status { return before }
        guard Self.transitions[before.status]?.contains(status) == true else {
            throw StoreError.invalidTransition(
                TransitionRefusal(from: before.status, action: status, reason: "a \(before.status) process cannot become \(status)"))
        }
        try await connection.query("UPDATE central.processes SET status = \(status), updated_at = now() WHERE id = \(id)")
        let event = ["stopped": "stopped", "paused": "paused", "running": "resumed", "finished": "finished"][status] ?? status
        try await connection.query(
            "INSERT INTO central.process_events (process_id, package_id, event) VALUES (\(id), \(before.packageID), \(event))")
        try await connection.notify(
            channel: Self.eventChannel, payload: #"{"process_id":\#(id),"package_id":\#(before.packageID),"event":"\#(event)"}"#)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "update_process", subject: "process", subjectID: id, packageID: before.packageID,
            before: .object(["status": .string(before.status)]), after: .object(["status": .string(status)]))
        var after = before
        after.status = status
        return after
    }

    /// Stops every active process of the package (and archives them all when `archive`):
    /// one statement, one outbox row per process, one NOTIFY. Returns how many stopped.
    public func stopAll(packageID: Int, archive: Bool) async throws -> Int {
        let rows = try await connection.query(
            """
            WITH changed AS (
                UPDATE central.processes
                SET status = CASE WHEN status IN ('running', 'paused') THEN 'stopped' ELSE status END,
                    updated_at = now(),
                    archived_at = CASE WHEN \(archive) THEN now() ELSE archived_at END
                WHERE package_id = \(packageID) AND archived_at IS NULL
                  AND (\(archive) OR status IN ('running', 'paused'))
                RETURNING id, package_id
            )
            INSERT INTO central.process_events (process_id, package_id, event)
            SELECT id, package_id, \(archive ? "reset" : "stopped") FROM changed
            """)
        if rows.affectedRows > 0 {
            try await connection.notify(
                channel: Self.eventChannel,
                payload: #"{"package_id":\#(packageID),"event":"\#(archive ? "reset" : "stopped")"}"#)
        }
        return rows.affectedRows
    }

    /// Sets the status of the package's reference campaign (a package without one: nothing).
    public func setReferenceCampaign(of packageID: Int, to status: ReferenceCampaignStatus) async throws {
        try await connection.query(
            "UPDATE central.reference_campaigns SET status = \(status.rawValue), updated_at = now() WHERE package_id = \(packageID)")
    }

    static func decode(_ row: PostgresRow) throws -> CampaignProcess {
        CampaignProcess(
            id: try row.decode(Int.self, "id"), packageID: try row.decode(Int.self, "package_id"),
            kind: try row.decode(String.self, "kind"), name: try row.decode(String.self, "name"),
            status: try row.decode(String.self, "status"))
    }
}

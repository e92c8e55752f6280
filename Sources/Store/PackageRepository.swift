import Domain
import Foundation
import Postgres

/// Campaign packages (`central.packages`, `central.package_audience`).
public struct PackageRepository: Sendable {
    let connection: PostgresConnection
    /// How long before a deadline its reminder goes out (``Reminders``).
    var reminderLead: Duration = Reminders.defaultLead

    /// SQL of the computed flags; the list filters and the summaries use the same text.
    static let lateSQL = PostgresQuery(
        unsafeSQL: """
            coalesce((p.status = 'pending_approval' AND p.approval_deadline < now())
                  OR (p.status = 'approved' AND p.available_at < now()), false)
            """)
    static let unavailableSQL = PostgresQuery(
        unsafeSQL: "coalesce(p.status = 'published' AND p.visible_until < now(), false)")

    static let columns: PostgresQuery =
        """
        p.id, p.label, p.type, p.description, p.campaign_name, p.campaign_folder,
        CASE WHEN p.audience_all THEN NULL ELSE ARRAY(
            SELECT e.code FROM central.package_audience a JOIN central.entities e ON e.id = a.entity_id
            WHERE a.package_id = p.id ORDER BY e.code) END AS audience, p.audience_tags, p.offered_revision, p.order_form,
        p.approval_mode, p.allows_several_orders, p.visible_from, p.visible_until, p.available_at,
        p.order_deadline, p.approval_deadline, p.settings, p.status, p.revision, p.version, p.pending_job_id,
        p.created_at, p.created_by, p.updated_at, p.updated_by,
        p.last_action, p.last_action_at, p.last_action_by, p.last_action_comment, p.reviewers, p.submitted_by,
        \(lateSQL) AS late, \(unavailableSQL) AS unavailable
        """

    /// Creates a package in `being_edited`; `duplicateOf` names the package it copies.
    public func create(_ draft: PackageDraft, by actor: Principal, duplicateOf original: Int? = nil) async throws
        -> CampaignPackage
    {
        var draft = draft
        try await validate(&draft)
        let audienceIDs = try await audienceIDs(draft.audience)
        let schedule = draft.schedule
        let rows = try await connection.query(
            """
            INSERT INTO central.packages (
                label, type, description, campaign_name, campaign_folder, audience_all, audience_tags, approval_mode,
                allows_several_orders, visible_from, visible_until, available_at, order_deadline, approval_deadline,
                settings, reviewers, order_form, created_by, updated_by)
            VALUES (
                \(draft.label), \(draft.type.rawValue), \(draft.description), \(draft.campaignName),
                \(draft.campaignFolder), \(draft.audienceIsEveryone), \(draft.audienceTags), \(draft.approvalMode.rawValue),
                \(draft.allowsSeveralOrders), \(schedule.visibleFrom), \(schedule.visibleUntil), \(schedule.availableAt),
                \(schedule.orderDeadline), \(schedule.approvalDeadline), \(JSONValue.object(draft.settings)),
                \(draft.reviewers), \(draft.orderForm.json), \(actor.actorName), \(actor.actorName))
            RETURNING id
            """)
        let id = try rows[0].decode(Int.self, "id")
        try await replaceAudience(of: id, with: audienceIDs)
        if draft.type == .collaborative {
            try await connection.query(
                "INSERT INTO central.reference_campaigns (package_id, name) VALUES (\(id), \(draft.campaignName))")
        }
        let package = try await require(id)
        var recorded = Self.snapshot(package, withAudience: true)
        if let original, case .object(var members) = recorded {
            members["duplicate_of"] = .string(String(original))
            recorded = .object(members)
        }
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "create", subject: "package", subjectID: id, packageID: id, after: recorded)
        return package
    }

    /// A new `being_edited` package, revision 1, with the fields, audience, tags and
    /// reviewers of `id` and no orders; the journals of both say so.
    public func duplicate(_ id: Int, label: String?, by actor: Principal) async throws -> CampaignPackage {
        let original = try await require(id)
        var draft = PackageDraft(original)
        draft.label = label ?? Self.copyLabel(of: original.label)
        let copy = try await create(draft, by: actor, duplicateOf: id)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "duplicate", subject: "package", subjectID: id, packageID: id,
            after: .object(["package_id": .string(String(copy.id)), "label": .string(copy.label)]))
        return copy
    }

    /// "Label (copy)", within the label's 200 characters.
    static func copyLabel(of label: String) -> String {
        let suffix = " (copy)"
        return String(label.prefix(PackageRules.maximumLabelLength - suffix.count)) + suffix
    }

    /// The package, or `nil`. With `lock`, the row stays locked until the transaction ends.
    public func find(_ id: Int, lock: Bool = false) async throws -> CampaignPackage? {
        let rows = try await connection.query(
            "SELECT \(Self.columns) FROM central.packages p WHERE p.id = \(id) \(unsafeSQL: lock ? "FOR UPDATE OF p" : "")")
        return try rows.first.map(Self.decode)
    }

    /// The package, or ``StoreError/notFound(_:)``.
    public func require(_ id: Int, lock: Bool = false) async throws -> CampaignPackage {
        guard let package = try await find(id, lock: lock) else { throw StoreError.notFound("package \(id)") }
        return package
    }

    /// Edits a package that is being edited or was rejected (which returns it to being edited).
    public func edit(
        _ id: Int, _ change: (inout PackageDraft) throws -> Void, expectedVersion: Int?, by actor: Principal
    ) async throws -> CampaignPackage {
        let before = try await lockForAction(id, expectedVersion: expectedVersion)
        let status = try before.status.applying(.edit, type: before.type, hasAudience: before.hasAudience).get()
        var draft = PackageDraft(before)
        try change(&draft)
        guard draft.type == before.type else {
            throw StoreError.validation(
                ValidationFailure(problems: [FieldProblem(field: "type", message: "cannot be changed after creation")]))
        }
        try await validate(&draft)
        let audienceIDs = try await audienceIDs(draft.audience)
        let schedule = draft.schedule
        try await connection.query(
            """
            UPDATE central.packages SET
                label = \(draft.label), description = \(draft.description), campaign_name = \(draft.campaignName),
                campaign_folder = \(draft.campaignFolder), audience_all = \(draft.audienceIsEveryone),
                audience_tags = \(draft.audienceTags), order_form = \(draft.orderForm.json),
                approval_mode = \(draft.approvalMode.rawValue), allows_several_orders = \(draft.allowsSeveralOrders),
                visible_from = \(schedule.visibleFrom), visible_until = \(schedule.visibleUntil),
                available_at = \(schedule.availableAt), order_deadline = \(schedule.orderDeadline),
                approval_deadline = \(schedule.approvalDeadline), settings = \(JSONValue.object(draft.settings)),
                reviewers = \(draft.reviewers), status = \(status.rawValue), version = version + 1, updated_at = now(), updated_by = \(actor.actorName)
            WHERE id = \(id)
            """)
        try await replaceAudience(of: id, with: audienceIDs)
        let after = try await require(id)
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "edit", subject: "package", subjectID: id, packageID: id,
            before: Self.snapshot(before, withAudience: true), after: Self.snapshot(after, withAudience: true))
        try await syncReminders(of: after)
        return after
    }

    /// Submit, approve, reject or publish: a status change in this transaction. Approving
    /// and rejecting follow ``ApprovalRules`` (four eyes, reviewers); the journal keeps who
    /// submitted and who decided.
    public func transition(
        _ id: Int, _ action: PackageAction, comment: String?, by actor: Principal, allowSelfApproval: Bool = false
    ) async throws -> CampaignPackage {
        precondition([.submit, .approve, .reject, .publish].contains(action), "cancel and reinitialize are jobs")
        let before = try await lockForAction(id, expectedVersion: nil)
        let status = try before.status.applying(action, type: before.type, hasAudience: before.hasAudience).get()
        if action == .approve || action == .reject,
            let refusal = ApprovalRules.check(
                decider: actor, submittedBy: before.submittedBy, reviewers: before.reviewers,
                allowSelfApproval: allowSelfApproval)
        {
            throw refusal
        }
        try await connection.query(
            """
            UPDATE central.packages SET status = \(status.rawValue), version = version + 1,
                submitted_by = CASE WHEN \(action == .submit) THEN \(actor.actorName) ELSE submitted_by END,
                updated_at = now(), updated_by = \(actor.actorName)
            WHERE id = \(id)
            """)
        let after = try await require(id)
        var recorded = Self.snapshot(after)
        if action == .approve || action == .reject, case .object(var members) = recorded {
            members["self_approval"] = .bool(after.submittedBy == actor.actorName)
            recorded = .object(members)
        }
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: action.rawValue, subject: "package", subjectID: id, packageID: id,
            comment: comment, before: Self.snapshot(before), after: recorded)
        try await syncReminders(of: after)
        switch action {
        case .approve:
            if let availableAt = after.schedule.availableAt {
                _ = try await JobRepository(connection: connection).enqueue(
                    kind: .publishPackage, packageID: id, revision: after.revision,
                    uniqueKey: "\(JobKind.publishPackage):\(id):\(after.revision)", payload: [String: JSONValue](),
                    runAt: availableAt, by: actor)
            }
        case .publish:
            try await freezeAudience(of: after)
            try await ProcessRepository(connection: connection).setReferenceCampaign(of: id, to: .running)
            try await NotificationWriter(connection: connection).notifyAudience(
                of: try await require(id), kind: .packageAvailable, comment: comment,
                eventKey: "\(NotificationKind.packageAvailable.rawValue):\(id):\(after.revision)")
        case .submit:
            try await EventWriter(connection: connection).record(
                .packageSubmitted, packageID: id, operator: actor.actorName, comment: comment,
                eventKey: "\(EventKind.packageSubmitted.rawValue):\(id):\(after.version)")
        default:
            break
        }
        return after
    }

    /// Accepts a cancel or reinitialize: checks the transition now, records the job and
    /// marks it pending on the package, in this transaction. Asking again for the same
    /// action on the same revision returns the same job.
    public func requestJob(
        _ id: Int, _ action: PackageAction, comment: String?, by actor: Principal
    ) async throws -> Job {
        let kind: JobKind =
            switch action {
            case .cancel: .cancelPackage
            case .reinitialize: .reinitializePackage
            default: preconditionFailure("only cancel and reinitialize are jobs")
            }
        // The input first: a request without its comment changes nothing, whatever the package.
        let problems = CommentRules.check(comment, for: action)
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
        let package = try await require(id, lock: true)
        let jobs = JobRepository(connection: connection)
        let uniqueKey = "\(kind):\(id):\(package.revision)"
        if let pending = package.pendingJobID {
            let job = try await jobs.require(pending)
            if job.uniqueKey == uniqueKey { return job }
            throw StoreError.conflict(
                code: "job_pending", message: "a \(job.kind) job (\(job.id)) is pending for this package")
        }
        _ = try package.status.applying(action, type: package.type, hasAudience: package.hasAudience).get()
        let job = try await jobs.enqueue(
            kind: kind, packageID: id, revision: package.revision, uniqueKey: uniqueKey,
            payload: PackageActionRequest(comment: comment, requestedBy: actor.actorName), by: actor)
        try await connection.query("UPDATE central.packages SET pending_job_id = \(job.id) WHERE id = \(id)")
        try await Journal(connection: connection).append(
            actor: actor.actorName, action: "request_\(action.rawValue)", subject: "package", subjectID: id,
            packageID: id, comment: comment, after: .object(["job_id": .string(String(job.id))]))
        return job
    }

    /// Locks the package for a change by a central operator: it must exist, have no
    /// pending job, and match `expectedVersion` when one is given.
    private func lockForAction(_ id: Int, expectedVersion: Int?) async throws -> CampaignPackage {
        let package = try await require(id, lock: true)
        if let expectedVersion, expectedVersion != package.version {
            throw StoreError.staleVersion(current: package.version)
        }
        if let job = package.pendingJobID {
            throw StoreError.conflict(code: "job_pending", message: "job \(job) is pending for this package; retry when it is done")
        }
        return package
    }

    private func audienceIDs(_ codes: [String]?) async throws -> [Int]? {
        guard let codes else { return nil }
        return try await EntityRepository(connection: connection).ids(of: codes, field: "audience")
    }

    private func replaceAudience(of id: Int, with entityIDs: [Int]?) async throws {
        try await connection.query("DELETE FROM central.package_audience WHERE package_id = \(id)")
        guard let entityIDs, !entityIDs.isEmpty else { return }
        try await connection.query(
            """
            INSERT INTO central.package_audience (package_id, entity_id)
            SELECT \(id), entity_id FROM unnest(\(entityIDs)) AS entity_id ON CONFLICT DO NOTHING
            """)
    }

    func validate(_ draft: inout PackageDraft) async throws {
        var problems = PackageRules.checkLabel(draft.label, field: "label")
        problems += PackageRules.checkLabel(draft.campaignName, field: "campaign_name")
        problems += PackageRules.checkLabel(draft.campaignFolder, field: "campaign_folder")
        problems += CommentRules.checkLength(draft.description, field: "description")
        problems += PackageRules.checkSchedule(draft.schedule)
        problems += try await OperatorRepository(connection: connection).reviewerProblems(draft.reviewers)
        switch OperatorRules.normalizedTags(draft.audienceTags, field: "audience_tags") {
        case .success(let tags): draft.audienceTags = tags
        case .failure(let failure): problems += failure.problems
        }
        guard problems.isEmpty else { throw StoreError.validation(ValidationFailure(problems: problems)) }
    }

    /// What the journal keeps of a package, before and after a change. The audience (up
    /// to tens of thousands of codes) only where it may have changed: creation and edits.
    public static func snapshot(_ package: CampaignPackage, withAudience: Bool = false) -> JSONValue {
        var members: [String: JSONValue] = [
            "status": .string(package.status.rawValue), "revision": .number(JSONNumber(package.revision)),
            "version": .number(JSONNumber(package.version)), "label": .string(package.label),
            "campaign_name": .string(package.campaignName), "campaign_folder": .string(package.campaignFolder),
            "reviewers": .array(package.reviewers.map(JSONValue.string)),
            "submitted_by": package.submittedBy.map(JSONValue.string) ?? .null,
        ]
        if withAudience {
            members["audience"] = package.audience.map { .array($0.map(JSONValue.string)) } ?? .null
            members["audience_tags"] = .array(package.audienceTags.map(JSONValue.string))
            members["order_form"] = package.orderForm.json
        }
        return .object(members)
    }
}

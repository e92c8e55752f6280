import Domain
import Store

/// The JSON shapes of the API (API.md), built explicitly so that every documented
/// member is present, `null` included.
enum Views {
    static func entity(_ entity: LocalEntity) -> JSONValue {
        .object([
            "id": .id(entity.id), "code": .string(entity.code), "label": .string(entity.label),
            "created_at": .date(entity.createdAt), "tags": .array(entity.tags.map(JSONValue.string)),
            "disabled": .bool(entity.disabled),
        ])
    }

    static func operatorAccount(_ account: OperatorAccount) -> JSONValue {
        .object([
            "name": .string(account.name), "role": .string(account.role.rawValue), "entity": .text(account.entityCode),
            "display_name": .text(account.displayName), "disabled": .bool(account.disabled),
            "has_password": .bool(account.hasPassword), "created_at": .date(account.createdAt),
            "updated_at": .date(account.updatedAt),
        ])
    }

    static func token(_ token: TokenRecord) -> JSONValue {
        .object([
            "id": .id(token.id), "owner_kind": .string(token.ownerKind.rawValue), "owner": .string(token.owner),
            "label": .text(token.label), "created_at": .date(token.createdAt), "last_used_at": .date(token.lastUsedAt),
            "revoked_at": .date(token.revokedAt),
        ])
    }

    static func packageSummary(_ summary: PackageSummary) -> JSONValue {
        let package = summary.package
        return .object([
            "id": .id(package.id), "label": .string(package.label), "type": .string(package.type.rawValue),
            "status": .string(package.status.rawValue), "revision": .int(package.revision),
            "campaign_name": .string(package.campaignName), "campaign_folder": .string(package.campaignFolder),
            "late": .bool(summary.late), "unavailable": .bool(summary.unavailable),
            "order_counts": .object(summary.orderCounts.mapValues { .int($0) }),
            "version": .int(package.version),
        ])
    }

    /// The package's own fields, as the detail and the catalogue show them.
    static func packageFields(_ package: CampaignPackage) -> [String: JSONValue] {
        let schedule = package.schedule
        return [
            "id": .id(package.id), "label": .string(package.label), "type": .string(package.type.rawValue),
            "description": .string(package.description), "campaign_name": .string(package.campaignName),
            "campaign_folder": .string(package.campaignFolder), "revision": .int(package.revision),
            "approval_mode": .string(package.approvalMode.rawValue),
            "allows_several_orders": .bool(package.allowsSeveralOrders),
            "visible_from": .date(schedule.visibleFrom), "visible_until": .date(schedule.visibleUntil),
            "available_at": .date(schedule.availableAt), "order_deadline": .date(schedule.orderDeadline),
            "approval_deadline": .date(schedule.approvalDeadline), "settings": .object(package.settings),
            "order_form": package.orderForm.json,
        ]
    }

    static func process(_ process: CampaignProcess) -> JSONValue {
        .object([
            "id": .id(process.id), "package_id": .id(process.packageID), "kind": .string(process.kind),
            "name": .string(process.name), "status": .string(process.status),
        ])
    }

    static func referenceCampaign(_ campaign: ReferenceCampaign?) -> JSONValue {
        guard let campaign else { return .null }
        return .object([
            "name": .string(campaign.name), "status": .string(campaign.status),
            "processes": .array(
                campaign.processes.map {
                    .object(["id": .id($0.id), "kind": .string($0.kind), "name": .string($0.name), "status": .string($0.status)])
                }),
        ])
    }

    static func packageDetail(
        _ summary: PackageSummary, orders: [EntityOrder], reference: ReferenceCampaign?, audienceSize: Int
    ) -> JSONValue {
        let package = summary.package
        guard case .object(var members) = packageSummary(summary) else { return packageSummary(summary) }
        members.merge(packageFields(package)) { $1 }
        members["audience"] = package.audience.map { .array($0.map(JSONValue.string)) } ?? .null
        members["audience_tags"] = .array(package.audienceTags.map(JSONValue.string))
        members["audience_size"] = .int(audienceSize)
        members["audience_frozen"] = .bool(package.audienceIsFrozen)
        members["pending_job_id"] = .id(package.pendingJobID)
        members["created_at"] = .date(package.createdAt)
        members["created_by"] = .string(package.createdBy)
        members["updated_at"] = .date(package.updatedAt)
        members["updated_by"] = .string(package.updatedBy)
        members["orders_by_entity"] = .array(
            orders.map {
                .object(["entity": .string($0.entityCode), "order_id": .id($0.orderID), "status": .string($0.status.rawValue)])
            })
        members["reference_campaign"] = referenceCampaign(reference)
        members["reviewers"] = .array(package.reviewers.map(JSONValue.string))
        members["submitted_by"] = .text(package.submittedBy)
        members["last_action"] =
            package.lastAction.map {
                .object(["action": .string($0.action), "at": .date($0.at), "by": .string($0.by), "comment": .text($0.comment)])
            } ?? .null
        return .object(members)
    }

    static func participationItem(_ item: ParticipationItem) -> JSONValue {
        .object(["entity": .string(item.entityCode), "status": .string(item.status), "order_id": .id(item.orderID)])
    }

    static func order(_ order: CampaignOrder) -> JSONValue {
        .object([
            "id": .id(order.id), "package_id": .id(order.packageID), "revision": .int(order.revision),
            "entity": .string(order.entityCode), "label": .string(order.label), "comment": .string(order.comment),
            "parameters": .object(order.parameters), "status": .string(order.status.rawValue),
            "version": .int(order.version), "created_at": .date(order.createdAt), "created_by": .string(order.createdBy),
            "updated_at": .date(order.updatedAt), "updated_by": .string(order.updatedBy),
            "decided_at": .date(order.decidedAt), "decided_by": .text(order.decidedBy),
            "decision_comment": .text(order.decisionComment), "cancelled_at": .date(order.cancelledAt),
            "cancelled_by": .text(order.cancelledBy), "cancel_comment": .text(order.cancelComment),
            "cancel_reason": .text(order.cancelReason),
        ])
    }

    static func job(_ job: Job) -> JSONValue {
        .object([
            "id": .id(job.id), "kind": .string(job.kind.rawValue), "package_id": .id(job.packageID),
            "status": .string(job.status.rawValue), "attempts": .int(job.attempts), "last_error": .text(job.lastError),
            "created_at": .date(job.createdAt), "started_at": .date(job.startedAt), "finished_at": .date(job.finishedAt),
            "result": job.result ?? .null,
        ])
    }

    static func journalEntry(_ entry: JournalEntry) -> JSONValue {
        .object([
            "id": .id(entry.id), "at": .date(entry.at), "actor": .string(entry.actor), "action": .string(entry.action),
            "subject": .string(entry.subject), "subject_id": .id(entry.subjectID), "entity_id": .id(entry.entityID),
            "comment": .text(entry.comment), "before": entry.before ?? .null, "after": entry.after ?? .null,
        ])
    }
}

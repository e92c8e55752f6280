import Domain
import Foundation
import Postgres

extension PackageRepository {
    /// The stored order form (checked when it was written; a DBA's hand edit that breaks
    /// it is a decoding error, not a silent empty form).
    static func decodeOrderForm(_ row: PostgresRow) throws -> OrderForm {
        switch OrderForm.parse(try row.decode(JSONValue.self, "order_form")) {
        case .success(let form): return form
        case .failure(let failure):
            throw PostgresError(code: .decoding, message: "the stored order form is not valid: \(failure)", column: "order_form")
        }
    }

    static func decode(_ row: PostgresRow) throws -> CampaignPackage {
        func enumValue<Value: RawRepresentable>(_ type: Value.Type, _ column: String) throws -> Value
        where Value.RawValue == String {
            let raw = try row.decode(String.self, column)
            guard let value = Value(rawValue: raw) else {
                throw PostgresError(code: .decoding, message: "unexpected value \(raw)", column: column)
            }
            return value
        }
        let lastAction = try row.decode(String?.self, "last_action").map { action in
            PackageLastAction(
                action: action, at: try row.decode(Date.self, "last_action_at"),
                by: try row.decode(String.self, "last_action_by"), comment: try row.decode(String?.self, "last_action_comment"))
        }
        return CampaignPackage(
            id: try row.decode(Int.self, "id"), label: try row.decode(String.self, "label"),
            type: try enumValue(PackageType.self, "type"), description: try row.decode(String.self, "description"),
            campaignName: try row.decode(String.self, "campaign_name"),
            campaignFolder: try row.decode(String.self, "campaign_folder"),
            audience: try row.decode([String]?.self, "audience"),
            approvalMode: try enumValue(ApprovalMode.self, "approval_mode"),
            allowsSeveralOrders: try row.decode(Bool.self, "allows_several_orders"),
            schedule: PackageSchedule(
                visibleFrom: try row.decode(Date?.self, "visible_from"),
                visibleUntil: try row.decode(Date?.self, "visible_until"),
                availableAt: try row.decode(Date?.self, "available_at"),
                orderDeadline: try row.decode(Date?.self, "order_deadline"),
                approvalDeadline: try row.decode(Date?.self, "approval_deadline")),
            settings: try row.decodeObject("settings"),
            status: try enumValue(PackageStatus.self, "status"), revision: try row.decode(Int.self, "revision"),
            version: try row.decode(Int.self, "version"), pendingJobID: try row.decode(Int?.self, "pending_job_id"),
            createdAt: try row.decode(Date.self, "created_at"), createdBy: try row.decode(String.self, "created_by"),
            updatedAt: try row.decode(Date.self, "updated_at"), updatedBy: try row.decode(String.self, "updated_by"),
            lastAction: lastAction, reviewers: try row.decode([String].self, "reviewers"),
            submittedBy: try row.decode(String?.self, "submitted_by"),
            audienceTags: try row.decode([String].self, "audience_tags"),
            offeredRevision: try row.decode(Int?.self, "offered_revision"),
            orderForm: try decodeOrderForm(row))
    }
}

import Domain
import Foundation

/// The body of `POST /v1/packages` and `PATCH /v1/packages/{id}`: a package's fields,
/// each named once (its JSON name in `CodingKeys`, its place in the draft in ``apply(to:)``).
struct PackageBody: CreationBody {
    var label: String?
    var type: PackageType?
    var campaignName: String?
    var campaignFolder: String?
    // The fields below may be cleared by a PATCH: `null` gives them back their default.
    var description: Patch<String>?
    var audience: Patch<[String]>?
    var audienceTags: Patch<[String]>?
    var approvalMode: Patch<ApprovalMode>?
    var allowsSeveralOrders: Patch<Bool>?
    var visibleFrom: Patch<Date>?
    var visibleUntil: Patch<Date>?
    var availableAt: Patch<Date>?
    var orderDeadline: Patch<Date>?
    var approvalDeadline: Patch<Date>?
    var settings: Patch<[String: JSONValue]>?
    var reviewers: Patch<[String]>?
    var orderForm: Patch<JSONValue>?

    enum CodingKeys: String, CodingKey {
        case label, type, description, audience, settings, reviewers
        case audienceTags = "audience_tags", orderForm = "order_form"
        case campaignName = "campaign_name", campaignFolder = "campaign_folder", approvalMode = "approval_mode"
        case allowsSeveralOrders = "allows_several_orders", visibleFrom = "visible_from", visibleUntil = "visible_until"
        case availableAt = "available_at", orderDeadline = "order_deadline", approvalDeadline = "approval_deadline"
    }

    /// What a new package must give.
    static let requiredOnCreate = [CodingKeys.label, .type, .campaignName, .campaignFolder].map(\.rawValue)

    /// A new package's draft (the required fields are there: ``BodyDecoding`` checked them).
    var draft: PackageDraft {
        get throws(ValidationFailure) {
            var draft = PackageDraft(label: "", type: .local, campaignName: "", campaignFolder: "")
            try apply(to: &draft)
            return draft
        }
    }

    /// Sets on `draft` the fields the body gives; `null` resets a field to its default. An
    /// order form that is not one is refused with a problem for each of its faults.
    func apply(to draft: inout PackageDraft) throws(ValidationFailure) {
        let defaults = PackageDraft(label: "", type: .local, campaignName: "", campaignFolder: "")
        if let label { draft.label = label }
        if let type { draft.type = type }
        if let campaignName { draft.campaignName = campaignName }
        if let campaignFolder { draft.campaignFolder = campaignFolder }
        if let description { draft.description = description.wrapped ?? defaults.description }
        if let audience { draft.audience = audience.wrapped }
        if let audienceTags { draft.audienceTags = audienceTags.wrapped ?? defaults.audienceTags }
        if let approvalMode { draft.approvalMode = approvalMode.wrapped ?? defaults.approvalMode }
        if let allowsSeveralOrders { draft.allowsSeveralOrders = allowsSeveralOrders.wrapped ?? defaults.allowsSeveralOrders }
        if let visibleFrom { draft.schedule.visibleFrom = visibleFrom.wrapped }
        if let visibleUntil { draft.schedule.visibleUntil = visibleUntil.wrapped }
        if let availableAt { draft.schedule.availableAt = availableAt.wrapped }
        if let orderDeadline { draft.schedule.orderDeadline = orderDeadline.wrapped }
        if let approvalDeadline { draft.schedule.approvalDeadline = approvalDeadline.wrapped }
        if let settings { draft.settings = settings.wrapped ?? defaults.settings }
        if let reviewers { draft.reviewers = reviewers.wrapped ?? defaults.reviewers }
        if let orderForm {
            if let given = orderForm.wrapped {
                draft.orderForm = try OrderForm.parse(given).get()
            } else {
                draft.orderForm = defaults.orderForm
            }
        }
    }
}

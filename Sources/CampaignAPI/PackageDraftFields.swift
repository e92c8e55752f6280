import Domain
import Foundation

/// A package's fields as requests name them, each described once: its JSON name, how a
/// body gives it, and how an edit copies it onto the stored draft. `POST /v1/packages`
/// reads them all, `PATCH` copies those the body names (`null` clears).
struct PackageDraftField: Sendable {
    let name: String
    /// Reads the field from the body into a draft; false when the body does not give it
    /// (absent, wrong, or `null` for a field that cannot be cleared).
    let read: @Sendable (inout RequestBody, inout PackageDraft) -> Bool
    /// Copies the field from a draft read from the body onto the stored one.
    let copy: @Sendable (PackageDraft, inout PackageDraft) -> Void

    static func text(_ name: String, _ path: WritableKeyPath<PackageDraft, String> & Sendable) -> Self {
        Self(
            name: name, read: { body, draft in set(body.string(name), path, &draft) },
            copy: { from, to in to[keyPath: path] = from[keyPath: path] })
    }

    static func date(_ name: String, _ path: WritableKeyPath<PackageDraft, Date?> & Sendable) -> Self {
        Self(
            name: name, read: { body, draft in set(body.date(name), path, &draft) },
            copy: { from, to in to[keyPath: path] = from[keyPath: path] })
    }

    static func choice<Value: RawRepresentable & CaseIterable & Sendable>(
        _ name: String, _ path: WritableKeyPath<PackageDraft, Value> & Sendable
    ) -> Self where Value.RawValue == String {
        Self(
            name: name,
            read: { body, draft in set(body.enumeration(name, Value.self), path, &draft) },
            copy: { from, to in to[keyPath: path] = from[keyPath: path] })
    }

    /// Every field of a draft, the four a new package requires first.
    static let all: [PackageDraftField] = [
        .text("label", \.label), .choice("type", \.type), .text("campaign_name", \.campaignName),
        .text("campaign_folder", \.campaignFolder), .text("description", \.description),
        Self(
            name: "audience", read: { body, draft in set(body.stringList("audience"), \.audience, &draft) },
            copy: { from, to in to.audience = from.audience }),
        .choice("approval_mode", \.approvalMode),
        Self(
            name: "allows_several_orders",
            read: { body, draft in set(body.bool("allows_several_orders"), \.allowsSeveralOrders, &draft) },
            copy: { from, to in to.allowsSeveralOrders = from.allowsSeveralOrders }),
        .date("visible_from", \.schedule.visibleFrom), .date("visible_until", \.schedule.visibleUntil),
        .date("available_at", \.schedule.availableAt), .date("order_deadline", \.schedule.orderDeadline),
        .date("approval_deadline", \.schedule.approvalDeadline),
        Self(
            name: "settings", read: { body, draft in set(body.object("settings"), \.settings, &draft) },
            copy: { from, to in to.settings = from.settings }),
    ]

    private static func set<Value>(_ value: Value?, _ path: WritableKeyPath<PackageDraft, Value>, _ draft: inout PackageDraft)
        -> Bool
    {
        guard let value else { return false }
        draft[keyPath: path] = value
        return true
    }

    static let names = Set(all.map(\.name))

    /// A new package's draft from the body: the four required fields first (a problem
    /// each when absent or `null`), then the others.
    static func create(from body: inout RequestBody) -> PackageDraft {
        var draft = PackageDraft(
            label: body.string("label", required: true) ?? "",
            type: body.enumeration("type", PackageType.self, required: true) ?? .local,
            campaignName: body.string("campaign_name", required: true) ?? "",
            campaignFolder: body.string("campaign_folder", required: true) ?? "")
        let required: Set = ["label", "type", "campaign_name", "campaign_folder"]
        for field in all where !required.contains(field.name) { _ = field.read(&body, &draft) }
        return draft
    }

    /// The change a PATCH body asks for, applied to the stored draft: the fields it gives.
    static func edit(from body: inout RequestBody) -> @Sendable (inout PackageDraft) -> Void {
        var given = PackageDraft(label: "", type: .local, campaignName: "", campaignFolder: "")
        let named = all.filter { $0.read(&body, &given) }
        let patch = given
        return { draft in for field in named { field.copy(patch, &draft) } }
    }
}

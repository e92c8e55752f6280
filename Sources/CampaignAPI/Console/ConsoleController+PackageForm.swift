import Domain
import Foundation
import Hummingbird
import Store

/// The package form: the fields of `POST /v1/packages` and `PATCH /v1/packages/{id}`, read
/// by the API's own body decoder and saved by the same Store code, so every rule and every
/// problem (named by its API field) is the API's; each is shown next to its field.
extension ConsoleController {
    /// A field of the form: its API name, its label, how it is entered.
    struct FormField {
        enum Kind { case text, area, choices([(String, String)]) }
        let name: String
        let label: String
        let kind: Kind
        var help: String? = nil
        var required = false
    }

    static let dateHelp = "UTC, as 2027-03-01T09:00 (or empty)"

    static func formFields(creating: Bool) -> [FormField] {
        var fields = [FormField(name: "label", label: "Label", kind: .text, required: true)]
        if creating {
            fields.append(FormField(name: "type", label: "Campaign type", kind: .choices([("local", "Local"), ("collaborative", "Collaborative")])))
        }
        fields += [
            FormField(name: "description", label: "Description", kind: .area),
            FormField(name: "campaign_name", label: "Campaign name", kind: .text, required: true),
            FormField(name: "campaign_folder", label: "Campaign folder", kind: .text, required: true),
            FormField(name: "audience", label: "Audience", kind: .area, help: "Entity codes separated by spaces or commas; with no tags either: every local entity"),
            FormField(name: "audience_tags", label: "Audience tags", kind: .text, help: "Entity tags (such as north, franchise) separated by spaces or commas: their entities join the audience, frozen at publication"),
            FormField(name: "approval_mode", label: "Approval of orders", kind: .choices([("manual", "Manual"), ("automatic", "Automatic")])),
            FormField(name: "allows_several_orders", label: "Several orders per entity", kind: .choices([("false", "No"), ("true", "Yes")])),
            FormField(name: "visible_from", label: "Visible from", kind: .text, help: dateHelp),
            FormField(name: "visible_until", label: "Visible until", kind: .text, help: dateHelp),
            FormField(name: "available_at", label: "Available at", kind: .text, help: dateHelp),
            FormField(name: "order_deadline", label: "Order deadline", kind: .text, help: dateHelp),
            FormField(name: "approval_deadline", label: "Approval deadline", kind: .text, help: dateHelp),
            FormField(name: "reviewers", label: "Reviewers", kind: .text, help: "Operator names separated by spaces or commas; empty: any approver"),
            FormField(name: "settings", label: "Settings", kind: .area, help: "A JSON object"),
            FormField(
                name: "order_form", label: "Order form", kind: .area,
                help: #"What an entity fills in when it orders, as a JSON list of fields: [{"name": "copies", "label": "Copies", "type": "number", "required": true, "min": 1}]. Types: text (max_length), number and date (min, max), choice (choices), boolean. Empty: no form"#),
        ]
        return fields
    }

    /// The form's values of a stored package.
    static func formValues(_ package: CampaignPackage) -> [String: String] {
        let schedule = package.schedule
        func date(_ value: Date?) -> String { value.map { String(RFC3339.format($0).prefix(16)) } ?? "" }
        return [
            "label": package.label, "type": package.type.rawValue, "description": package.description,
            "campaign_name": package.campaignName, "campaign_folder": package.campaignFolder,
            "audience": package.audience?.joined(separator: " ") ?? "",
            "audience_tags": package.audienceTags.joined(separator: " "), "approval_mode": package.approvalMode.rawValue,
            "allows_several_orders": String(package.allowsSeveralOrders),
            "visible_from": date(schedule.visibleFrom), "visible_until": date(schedule.visibleUntil),
            "available_at": date(schedule.availableAt), "order_deadline": date(schedule.orderDeadline),
            "approval_deadline": date(schedule.approvalDeadline), "reviewers": package.reviewers.joined(separator: " "),
            "settings": String(decoding: JSONValue.object(package.settings).serialized, as: UTF8.self),
            "order_form": package.orderForm.isEmpty ? "" : String(decoding: package.orderForm.json.serialized, as: UTF8.self),
        ]
    }

    /// The form as the API's JSON body; a field that is not even that (settings that are
    /// not JSON) is a problem of its own.
    static func body(from form: FormBody, creating: Bool) -> (Data, [FieldProblem]) {
        var members: [String: JSONValue] = [:]
        var problems: [FieldProblem] = []
        func text(_ name: String) -> String { form[name] ?? "" }
        func list(_ name: String) -> [JSONValue] {
            text(name).split(whereSeparator: { $0 == "," || $0.isWhitespace }).map { .string(String($0)) }
        }
        for name in ["label", "campaign_name", "campaign_folder", "description"] { members[name] = .string(text(name)) }
        if creating { members["type"] = .string(text("type")) }
        members["approval_mode"] = .string(text("approval_mode"))
        members["allows_several_orders"] = .bool(text("allows_several_orders") == "true")
        members["audience"] = list("audience").isEmpty ? .null : .array(list("audience"))
        members["reviewers"] = .array(list("reviewers"))
        members["audience_tags"] = .array(list("audience_tags"))
        for name in ["visible_from", "visible_until", "available_at", "order_deadline", "approval_deadline"] {
            let value = text(name).trimmingCharacters(in: .whitespaces)
            // A minute, as the form shows it, is read in UTC; a full RFC 3339 text as it is.
            members[name] = value.isEmpty ? .null : .string(value.count == 16 ? value + ":00Z" : value)
        }
        switch form.json("settings", example: #"{"format": "A5"}"#) {
        case .success(let settings): members["settings"] = settings
        case .failure(let failure): problems += failure.problems
        }
        if text("order_form").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            members["order_form"] = .array([])
        } else {
            switch form.json("order_form", example: #"[{"name": "copies", "label": "Copies", "type": "number"}]"#) {
            case .success(let orderForm): members["order_form"] = orderForm
            case .failure(let failure): problems += failure.problems
            }
        }
        return (Data(JSONValue.object(members).serialized), problems)
    }

    func formPage(
        creating: Bool, id: Int?, values: [String: String], problems: [FieldProblem], context: APIContext,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var data = Self.layout(context)
        data["title"] = creating ? "New package" : "Edit \(values["label"] ?? "package")"
        data["action"] = creating ? "/console/packages/new" : "/console/packages/\(id ?? 0)/edit"
        data["back"] = creating ? "/console/packages" : "/console/packages/\(id ?? 0)"
        data["hasErrors"] = !problems.isEmpty
        let known = Set(Self.formFields(creating: creating).map(\.name))
        data["fields"] = Self.formFields(creating: creating).map { field -> [String: Any] in
            let value = values[field.name] ?? ""
            // A field's own problems, and those of its parts (`order_form.0.type`), named.
            var messages = problems.compactMap { problem -> String? in
                if problem.field == field.name { return problem.message }
                guard problem.field.hasPrefix(field.name + ".") else { return nil }
                return "\(problem.field.dropFirst(field.name.count + 1)): \(problem.message)"
            }
            // A problem of no field of the form (the body as a whole) is shown with the first.
            if field.name == "label" {
                messages += problems.filter { !known.contains(String($0.field.prefix { $0 != "." })) }.map { "\($0.field): \($0.message)" }
            }
            var entry: [String: Any] = ["name": field.name, "label": field.label, "value": value, "required": field.required]
            switch field.kind {
            case .text: entry["text"] = true
            case .area: entry["area"] = true
            case .choices(let options):
                entry["choices"] = true
                entry["options"] = options.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == value] as [String: Any] }
            }
            if let help = field.help { entry["help"] = help }
            if !messages.isEmpty { entry["error"] = messages.joined(separator: "; ") }
            let described = [field.help.map { _ in "\(field.name)-help" }, messages.isEmpty ? nil : "\(field.name)-error"].compactMap { $0 }
            if !described.isEmpty { entry["describedBy"] = described.joined(separator: " ") }
            return entry
        }
        return ConsolePage.render("packageForm", data, status: status)
    }

    @Sendable func newPackagePage(_ request: Request, context: APIContext) async throws -> Response {
        try Self.requireRule("POST", "/v1/packages", try context.requirePrincipal())
        return formPage(
            creating: true, id: nil, values: ["type": "local", "approval_mode": "manual", "allows_several_orders": "false"],
            problems: [], context: context)
    }

    @Sendable func editPackagePage(_ request: Request, context: APIContext) async throws -> Response {
        try Self.requireRule("PATCH", "/v1/packages/{id}", try context.requirePrincipal())
        let id = try context.id("id", "package")
        let package = try await store.transaction { try await $0.packages.require(id) }
        return formPage(creating: false, id: id, values: Self.formValues(package), problems: [], context: context)
    }

    @Sendable func createPackage(_ request: Request, context: APIContext) async throws -> Response {
        try await save(request, context, id: nil)
    }

    @Sendable func editPackage(_ request: Request, context: APIContext) async throws -> Response {
        try await save(request, context, id: try context.id("id", "package"))
    }

    /// Saves the form (Save): 303 to the dashboard, or the form again with its problems (422).
    func save(_ request: Request, _ context: APIContext, id: Int?) async throws -> Response {
        let principal = try context.requirePrincipal()
        try Self.requireRule(id == nil ? "POST" : "PATCH", id == nil ? "/v1/packages" : "/v1/packages/{id}", principal)
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        let values = Dictionary(form.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        let (body, formProblems) = Self.body(from: form, creating: id == nil)
        func refused(_ problems: [FieldProblem]) -> Response {
            // Every problem at once: the form's own (settings that are not JSON) and the API's.
            formPage(
                creating: id == nil, id: id, values: values, problems: formProblems + problems.filter { !formProblems.contains($0) },
                context: context, status: .unprocessableContent)
        }
        do {
            let saved = try await store.transaction(for: principal) { transaction -> Int in
                let saved: Int
                if let id {
                    let patch = try BodyDecoding.decode(PackageBody.self, from: body)
                    saved = try await transaction.packages.edit(id, patch.apply, expectedVersion: nil, by: principal).id
                } else {
                    let draft = try BodyDecoding.decode(Creation<PackageBody>.self, from: body).body.draft
                    saved = try await transaction.packages.create(draft, by: principal).id
                }
                // The rest was right, the form's own problem remains: roll it all back.
                try ValidationFailure.throwIfAny(formProblems)
                return saved
            }
            return ConsolePage.redirect("/console/packages/\(saved)")
        } catch {
            guard let problems = Self.fieldProblems(in: error) else { throw error }
            return refused(problems)
        }
    }

    /// The field problems of a refused form, however they were raised: by the page itself
    /// (`ValidationFailure`), by the API's body decoder (a 422 `APIError`) or by Store's
    /// rules; `nil` for any other error.
    static func fieldProblems(in error: any Error) -> [FieldProblem]? {
        switch error {
        case let failure as ValidationFailure:
            return failure.problems
        case StoreError.validation(let failure):
            return failure.problems
        case let error as APIError where error.code == "validation_failed":
            guard case .array(let items)? = error.extra["problems"] else { return [] }
            return items.compactMap { item in
                guard case .object(let members) = item, case .string(let field)? = members["field"],
                    case .string(let message)? = members["message"]
                else { return nil }
                return FieldProblem(field: field, message: message)
            }
        default:
            return nil
        }
    }
}

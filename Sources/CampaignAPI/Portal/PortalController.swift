import Domain
import Foundation
import Hummingbird
import Store

/// The local portal at `/portal/` (SPEC.md, "Local portal"): a local operator's catalogue,
/// a package's page with its order form, the entity's orders (edited until approved,
/// cancelled with a comment) and its notifications inbox with a live unread count.
///
/// Every page acts as the operator's entity through the same Store code as the API (the
/// order form's rules included), in transactions scoped to that entity: another entity's
/// package, order or notification is a 404, whatever the URL.
struct PortalController {
    let store: Store
    let sessions: SessionStore
    let passwords: PasswordCheck
    let options: APIOptions
    let notifications: FeedPolling<NotificationFeed>

    var surface: PageSurface { .portal }

    func register(on router: Router<APIContext>) {
        let portal = router.group("portal")
        let signIn = PageSignIn(surface: .portal, sessions: sessions, passwords: passwords, options: options)
        portal.get("") { _, _ in ConsolePage.redirect("/portal/catalog") }
        portal.get("login", use: signIn.page)
        portal.post("login", use: signIn.signIn)
        portal.get("assets/:file", use: asset)
        let pages = portal.group("").add(middleware: PageSessionMiddleware(surface: .portal, sessions: sessions))
            .add(middleware: WriteFenceMiddleware(replicas: store.replicas))
        pages.post("logout", use: signIn.signOut)
        pages.get("catalog", use: catalog)
        pages.get("packages/:id", use: packagePage)
        pages.post("packages/:id", use: placeOrder)
        pages.get("orders", use: orderList)
        pages.get("orders/:id", use: orderPage)
        pages.post("orders/:id/edit", use: editOrder)
        pages.post("orders/:id/cancel", use: cancelOrder)
        pages.get("notifications", use: inbox)
        pages.get("notifications/poll", use: poll)
    }

    /// Who is signed in, for which entity, and the token of the forms.
    static func layout(_ context: APIContext) -> [String: Any] {
        guard let session = context.pageSession, case .local(_, let code, let name) = session.principal else { return [:] }
        return ["operator": ["name": name ?? code, "entity": code], "csrf": session.csrfToken]
    }

    /// The local operator's entity, or a refusal (the middleware admits local operators only).
    func entity(_ context: APIContext) throws -> (Principal, Int) {
        let principal = try context.requirePrincipal()
        guard let entityID = principal.entityID else { throw APIError.notFound("page") }
        return (principal, entityID)
    }

    /// Renders a page with the header's unread count and where its live count starts.
    func render(
        _ template: String, _ data: [String: Any], _ context: APIContext, entityID: Int, principal: Principal,
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let inbox = try await store.transaction(for: principal) { try await $0.notificationFeed.inbox(entityID: entityID) }
        var data = data
        data["unread"] = inbox.unread > 0 ? "(\(inbox.unread) unread)" : ""
        data["after"] = String(inbox.newest)
        return surface.render(template, data, status: status)
    }

    @Sendable func asset(_ request: Request, context: APIContext) async throws -> Response {
        guard let name = context.parameters.get("file"), let asset = PortalAssets.files[name] else {
            throw APIError.notFound("file")
        }
        var headers = ConsolePage.securityHeaders
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "max-age=300"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.text)))
    }

    static func day(_ date: Date?) -> String { date.map { String(RFC3339.format($0).prefix(16)).replacingOccurrences(of: "T", with: " ") } ?? "—" }

    // MARK: Catalogue and ordering

    @Sendable func catalog(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, entityID) = try entity(context)
        let query = try QueryDecoding.decode(PageQuery.self, from: request)
        let limit = query.limit.orDefault
        let packages = try await store.transaction(for: principal) {
            try await $0.packages.catalogue(entityID: entityID, before: query.cursor, limit: limit)
        }
        var data = surface.layout(context)
        data["title"] = "Catalogue"
        data["caption"] = packages.isEmpty ? "Nothing offered" : "What the head office offers you, newest first"
        data["rows"] = packages.map {
            [
                "id": String($0.id), "label": $0.label, "type": $0.type.rawValue.capitalized,
                "available": Self.day($0.schedule.availableAt), "deadline": Self.day($0.schedule.orderDeadline),
                "until": Self.day($0.schedule.visibleUntil),
            ]
        }
        if packages.count == limit, let last = packages.last { data["next"] = "/portal/catalog?cursor=\(last.id)" }
        return try await render("catalog", data, context, entityID: entityID, principal: principal)
    }

    @Sendable func packagePage(_ request: Request, context: APIContext) async throws -> Response {
        try await packagePage(try context.id("id", "package"), context)
    }

    /// A package of the catalogue with its order form (values and problems when an order
    /// was refused); anything outside the entity's catalogue is a 404.
    func packagePage(
        _ id: Int, _ context: APIContext, form: FormBody? = nil, problems: [FieldProblem] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (principal, entityID) = try entity(context)
        let (package, ordered) = try await store.transaction(for: principal) { transaction in
            guard let package = try await transaction.packages.offered(id, to: entityID) else {
                throw StoreError.notFound("package \(id)")
            }
            // The entity's live order of this revision, if any (newest first; a few at most).
            let mine = try await transaction.orders.list(OrderFilter(packageID: id, entityID: entityID), before: nil, limit: 50)
            return (package, mine.first { $0.revision == package.revision && $0.status != .cancelled })
        }
        var data = surface.layout(context)
        data["title"] = package.label
        data["id"] = String(id)
        data["type"] = package.type.rawValue.capitalized
        data["description"] = package.description.isEmpty ? nil : package.description
        let schedule = package.schedule
        data["dates"] = [
            ("Available from", schedule.availableAt), ("Order deadline", schedule.orderDeadline),
            ("Visible until", schedule.visibleUntil),
        ].compactMap { label, date in date.map { ["label": label, "value": Self.day($0)] } }
        data["ordered"] = ordered.map { String($0.id) }
        let refusal = OrderEligibility.check(
            status: package.status, hasPendingJob: package.pendingJobID != nil, schedule: schedule, inAudience: true,
            existingOrders: ordered == nil ? 0 : 1, allowsSeveralOrders: package.allowsSeveralOrders, now: Date())
        if let refusal {
            data["closed"] = OrderRepository.message(for: refusal).prefix(1).uppercased() + OrderRepository.message(for: refusal).dropFirst() + "."
        } else {
            data["canOrder"] = true
        }
        Self.fillOrderForm(&data, fields: package.orderForm.fields, values: form, stored: [:], problems: problems)
        data["orderLabel"] = form?["label"] ?? ""
        data["comment"] = form?["comment"] ?? ""
        return try await render("package", data, context, entityID: entityID, principal: principal, status: status)
    }

    /// Order: the form's fields become the order's `parameters`, checked by Store against
    /// the package's order form (as `POST /v1/packages/{id}/orders` is); refused, the page
    /// again with each problem next to its field.
    @Sendable func placeOrder(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, entityID) = try entity(context)
        let id = try context.id("id", "package")
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        do {
            let order = try await store.transaction(for: principal) { transaction -> CampaignOrder in
                guard let package = try await transaction.packages.offered(id, to: entityID) else {
                    throw StoreError.notFound("package \(id)")
                }
                return try await transaction.orders.create(
                    packageID: id, label: form["label"] ?? "", comment: form["comment"] ?? "",
                    parameters: Self.parameters(from: form, fields: package.orderForm.fields), by: principal)
            }
            return ConsolePage.redirect("/portal/orders/\(order.id)")
        } catch {
            guard let problems = ConsoleController.fieldProblems(in: error) else { throw error }
            return try await packagePage(id, context, form: form, problems: problems, status: .unprocessableContent)
        }
    }

    // MARK: Orders

    @Sendable func orderList(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, entityID) = try entity(context)
        let query = try QueryDecoding.decode(PageQuery.self, from: request)
        let limit = query.limit.orDefault
        let orders = try await store.transaction(for: principal) {
            try await $0.orders.list(OrderFilter(entityID: entityID), before: query.cursor, limit: limit)
        }
        var data = surface.layout(context)
        data["title"] = "My orders"
        data["caption"] = orders.isEmpty ? "No orders" : "Your orders, newest first"
        data["rows"] = orders.map {
            [
                "id": String($0.id), "label": $0.label, "packageID": String($0.packageID),
                "status": ConsoleController.words($0.status), "created": Self.day($0.createdAt),
            ]
        }
        if orders.count == limit, let last = orders.last { data["next"] = "/portal/orders?cursor=\(last.id)" }
        return try await render("orders", data, context, entityID: entityID, principal: principal)
    }

    @Sendable func orderPage(_ request: Request, context: APIContext) async throws -> Response {
        try await orderPage(try context.id("id", "order"), context)
    }

    func orderPage(
        _ id: Int, _ context: APIContext, form: FormBody? = nil, problems: [FieldProblem] = [],
        status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        let (principal, entityID) = try entity(context)
        let (order, package) = try await store.transaction(for: principal) { transaction in
            let order = try await transaction.orders.require(id, visibleTo: principal)
            return (order, try await transaction.packages.require(order.packageID))
        }
        var data = surface.layout(context)
        data["title"] = order.label
        data["id"] = String(id)
        data["packageID"] = String(order.packageID)
        data["status"] = ConsoleController.words(order.status)
        data["created"] = Self.day(order.createdAt)
        data["createdBy"] = order.createdBy
        if let at = order.decidedAt {
            data["decided"] = "\(Self.day(at))" + (order.decisionComment.map { ": \($0)" } ?? "")
        }
        if let at = order.cancelledAt {
            data["cancelled"] = "\(Self.day(at))" + (order.cancelComment.map { ": \($0)" } ?? "")
        }
        let canEdit = (try? order.status.applying(.edit, by: .local).get()) != nil
        data["canEdit"] = canEdit
        data["canCancel"] = (try? order.status.applying(.cancel, by: .local).get()) != nil
        let fields = order.revision == package.revision ? package.orderForm.fields : []
        Self.fillOrderForm(&data, fields: fields, values: form, stored: order.parameters, problems: problems)
        data["orderLabel"] = form?["label"] ?? order.label
        data["comment"] = form?["comment"] ?? order.comment
        let named = Dictionary(fields.map { ($0.name, $0.label) }, uniquingKeysWith: { first, _ in first })
        data["entered"] = order.parameters.sorted { $0.key < $1.key }.map { key, value in
            ["label": named[key] ?? key, "value": value.plainText]
        }
        return try await render("order", data, context, entityID: entityID, principal: principal, status: status)
    }

    @Sendable func editOrder(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, _) = try entity(context)
        let id = try context.id("id", "order")
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        do {
            try await store.transaction(for: principal) { transaction in
                let order = try await transaction.orders.require(id, visibleTo: principal)
                let package = try await transaction.packages.require(order.packageID)
                let change = OrderChange(
                    label: form["label"] ?? "", comment: form["comment"] ?? "",
                    parameters: Self.parameters(from: form, fields: package.orderForm.fields))
                _ = try await transaction.orders.edit(id, change, expectedVersion: nil, by: principal)
            }
            return ConsolePage.redirect("/portal/orders/\(id)")
        } catch {
            guard let problems = ConsoleController.fieldProblems(in: error) else { throw error }
            return try await orderPage(id, context, form: form, problems: problems, status: .unprocessableContent)
        }
    }

    @Sendable func cancelOrder(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, _) = try entity(context)
        let id = try context.id("id", "order")
        var request = request
        let comment = FormBody(try await request.collectData(context: context))["comment"].flatMap { $0.isEmpty ? nil : $0 }
        _ = try await store.transaction(for: principal) { try await $0.orders.cancel(id, comment: comment, by: principal) }
        return ConsolePage.redirect("/portal/orders/\(id)")
    }

    // MARK: Notifications

    static func words(_ kind: NotificationKind) -> String {
        switch kind {
        case .packageAvailable: "A package is offered to you:"
        case .packageCancelled: "A package was cancelled:"
        case .packageReinitialized: "A package was withdrawn to be edited again:"
        case .orderApproved: "Approved:"
        case .orderRejected: "Rejected:"
        case .orderCancelled: "Cancelled by the head office:"
        case .orderDeadlineNear: "The order deadline is near, and you have not ordered:"
        }
    }

    /// The inbox, newest first; opening it acknowledges the rows it shows (as `POST
    /// /v1/notifications/ack` with the newest cursor shown), so they no longer count as unread.
    @Sendable func inbox(_ request: Request, context: APIContext) async throws -> Response {
        let (principal, entityID) = try entity(context)
        let (rows, before) = try await store.transaction(for: principal) { transaction in
            let before = try await transaction.notificationFeed.inbox(entityID: entityID)
            let rows = try await transaction.notificationFeed.latest(entityID: entityID, limit: 100)
            if let newest = rows.first?.cursor, newest > before.acknowledged {
                try await transaction.notificationFeed.acknowledge(entityID: entityID, cursor: newest)
            }
            return (rows, before)
        }
        var data = surface.layout(context)
        data["title"] = "Notifications"
        data["rows"] = rows.map { row -> [String: Any] in
            var item: [String: Any] = [
                "at": RFC3339.format(row.createdAt), "text": Self.words(row.kind), "unread": row.cursor > before.acknowledged,
            ]
            if let order = row.orderID { item["orderID"] = String(order) }
            if let package = row.packageID { item["packageID"] = String(package) }
            if let comment = row.comment, !comment.isEmpty { item["comment"] = comment }
            return item
        }
        return try await render("notifications", data, context, entityID: entityID, principal: principal)
    }

    /// The live count's long poll: the entity's rows after `after`, waited for up to
    /// `wait` seconds, with the same feed, hub and cursor as `GET /v1/notifications`.
    @Sendable func poll(_ request: Request, context: APIContext) async throws -> Response {
        let (_, entityID) = try entity(context)
        let query = try QueryDecoding.decode(FeedQuery.self, from: request)
        let after = query.after ?? 0
        let rows = try await notifications.poll(
            key: entityID, after: after, limit: query.limit.orDefault, wait: query.wait?.value ?? 0, context: context)
        return notifications.page(rows, after: after)
    }

    // MARK: The order form

    /// The HTML name of a field of the order form.
    static func inputName(_ field: OrderFormField) -> String { "param-\(field.name)" }

    /// The form's fields as an order's `parameters`: an empty field is absent (the form's
    /// rule says whether it may be), a number as typed (the rule says whether it is one).
    static func parameters(from form: FormBody, fields: [OrderFormField]) -> [String: JSONValue] {
        var parameters: [String: JSONValue] = [:]
        for field in fields {
            let raw = (form[inputName(field)] ?? "").trimmingCharacters(in: .whitespaces)
            switch field.type {
            case .boolean:
                parameters[field.name] = .bool(raw == "true")
            case .number:
                guard !raw.isEmpty else { continue }
                if case .number(let number)? = try? JSONValue(parsing: Array(raw.utf8)) {
                    parameters[field.name] = .number(number)
                } else {
                    parameters[field.name] = .string(raw)
                }
            case .text, .date, .choice:
                if !raw.isEmpty { parameters[field.name] = .string(raw) }
            }
        }
        return parameters
    }

    /// The fields of the order form for the templates: each with its value (as typed, or
    /// as stored) and its problem; the label's problem too.
    static func fillOrderForm(
        _ data: inout [String: Any], fields: [OrderFormField], values form: FormBody?, stored: [String: JSONValue],
        problems: [FieldProblem]
    ) {
        data["hasErrors"] = !problems.isEmpty
        data["labelError"] = problems.first { $0.field == "label" }.map { "Your order's name \($0.message)" }
        // A problem of no field shown (the comment's, a parameter the form lost) goes in the banner.
        let known = Set(fields.map { "parameters.\($0.name)" } + ["label"])
        let others = problems.filter { !known.contains($0.field) }.map { "\($0.field): \($0.message)." }
        data["otherErrors"] = others.isEmpty ? nil : others.joined(separator: " ")
        data["fields"] = fields.map { field -> [String: Any] in
            let value: String =
                if let form { form[inputName(field)] ?? "" } else { stored[field.name].map(\.plainText) ?? "" }
            let messages = problems.filter { $0.field == "parameters.\(field.name)" }.map(\.message)
            var entry: [String: Any] = [
                "id": inputName(field), "label": field.label, "required": field.required, "value": value,
                field.type.rawValue: true,
            ]
            switch field.type {
            case .choice: entry["options"] = field.choices.map { ["value": $0, "selected": $0 == value] as [String: Any] }
            case .boolean: entry["checked"] = value == "true"
            case .text: entry["maxLength"] = field.maxLength.map(String.init)
            case .number, .date:
                entry["min"] = field.min?.plainText
                entry["max"] = field.max?.plainText
            }
            if !messages.isEmpty { entry["error"] = messages.joined(separator: "; ") }
            return entry
        }
    }
}

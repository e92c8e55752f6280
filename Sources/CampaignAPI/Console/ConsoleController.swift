import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// `/console/`: the central operators' pages (SPEC.md, "Web console"). Each page asks the
/// same Store and Domain code as the API, and each action the same rule of
/// ``AccessRules`` as its API route, so the buttons shown are the actions allowed.
struct ConsoleController {
    let store: Store
    let sessions: SessionStore
    let passwords: PasswordCheck
    let tokens: TokenStore
    let options: APIOptions

    func register(on router: Router<APIContext>) {
        let console = router.group("console")
        console.get("", use: home)
        let signIn = PageSignIn(surface: .console, sessions: sessions, passwords: passwords, options: options)
        console.get("login", use: signIn.page)
        console.post("login", use: signIn.signIn)
        console.get("assets/:file", use: asset)
        let pages = console.group("").add(middleware: PageSessionMiddleware(surface: .console, sessions: sessions))
            .add(middleware: WriteFenceMiddleware(replicas: store.replicas))
        pages.post("logout", use: signIn.signOut)
        pages.get("packages", use: packageList)
        pages.get("packages.csv", use: exportPackages)
        pages.get("orders.csv", use: exportOrders)
        pages.get("packages/:id/participation.csv", use: exportParticipation)
        pages.get("packages/:id/journal.csv", use: exportJournal)
        pages.post("packages/:id/duplicate", use: duplicatePackage)
        pages.post("orders/bulk", use: bulkOrders)
        pages.get("jobs/:id", use: jobPage)
        pages.get("jobs/:id/job", use: jobProgress)
        pages.get("packages/new", use: newPackagePage)
        pages.post("packages/new", use: createPackage)
        pages.get("packages/:id", use: packageDashboard)
        pages.get("packages/:id/edit", use: editPackagePage)
        pages.post("packages/:id/edit", use: editPackage)
        pages.get("packages/:id/job", use: jobStatus)
        for action in [PackageAction.submit, .approve, .reject, .publish] {
            pages.post("packages/:id/\(action.rawValue)") { request, context in
                try await transition(request, context, action)
            }
        }
        pages.post("packages/:id/cancel", use: cancel)
        pages.get("operators", use: operatorList)
        pages.post("operators", use: createOperator)
        pages.post("operators/:name", use: updateOperator)
        pages.post("operators/:name/password", use: setOperatorPassword)
        pages.get("entities", use: entityList)
        pages.post("entities", use: createEntity)
        pages.post("entities/:code", use: updateEntity)
        pages.post("entities/:code/tokens", use: mintEntityToken)
        pages.get("tokens", use: tokenList)
        pages.post("tokens/:id/revoke", use: revokeToken)
        pages.get("events", use: eventList)
        pages.get("webhooks", use: webhookList)
        pages.post("webhooks", use: createWebhook)
        pages.get("webhooks/:id", use: webhookPage)
        pages.post("webhooks/:id/delete", use: deleteWebhook)
        pages.post("webhooks/:id/deliveries/:delivery_id/redeliver", use: redeliverWebhook)
        pages.get("jobs", use: jobList)
        pages.post("jobs/:id/retry", use: retryJob)
        pages.get("orders", use: orderList)
        pages.get("orders/:id", use: orderPage)
        pages.post("orders/:id/edit", use: editOrder)
        pages.post("orders/:id/decide", use: decideOrder)
        pages.get("packages/:id/reinitialize", use: reinitializePage)
        pages.post("packages/:id/reinitialize", use: reinitialize)
    }

    @Sendable func home(_ request: Request, context: APIContext) async throws -> Response {
        ConsolePage.redirect("/console/packages")
    }

    // MARK: Assets

    @Sendable func asset(_ request: Request, context: APIContext) async throws -> Response {
        guard let name = context.parameters.get("file"), let asset = ConsoleAssets.files[name] else {
            throw APIError.notFound("asset")
        }
        var headers = ConsolePage.securityHeaders
        headers[.contentType] = asset.contentType
        headers[.cacheControl] = "max-age=300"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: asset.text)))
    }
}

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
        console.get("login", use: signInPage)
        console.post("login", use: signIn)
        console.get("assets/:file", use: asset)
        let pages = console.group("").add(middleware: ConsoleSessionMiddleware(sessions: sessions))
        pages.post("logout", use: signOut)
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
        pages.get("jobs", use: jobList)
        pages.post("jobs/:id/retry", use: retryJob)
        pages.get("orders", use: orderList)
        pages.get("orders/:id", use: orderPage)
        pages.post("orders/:id/edit", use: editOrder)
        pages.post("orders/:id/decide", use: decideOrder)
        pages.get("packages/:id/reinitialize", use: reinitializePage)
        pages.post("packages/:id/reinitialize", use: reinitialize)
    }

    // MARK: Sign-in

    @Sendable func home(_ request: Request, context: APIContext) async throws -> Response {
        ConsolePage.redirect("/console/packages")
    }

    @Sendable func signInPage(_ request: Request, context: APIContext) async throws -> Response {
        let csrf = SessionStore.newSecret()
        return ConsolePage.render(
            "login", ["title": "Sign in", "csrf": csrf, "next": Self.safeNext(request.uri.queryParameters.get("next")) ?? ""],
            headers: Cookies.set(Cookies.signInCSRF, csrf, secure: options.cookieSecure))
    }

    /// The name and password, checked with the limits of ``PasswordCheck``; the sign-in
    /// form's CSRF token is the one its page set in a cookie.
    @Sendable func signIn(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        guard let sent = form["csrf"], let expected = Cookies.value(Cookies.signInCSRF, in: request),
            SessionStore.constantTimeEqual(sent, expected)
        else {
            return ConsolePage.message(
                "Sign in", "This form has expired: open the sign-in page again.", status: .forbidden, back: "/console/login",
                layout: [:])
        }
        let name = form["name"] ?? ""
        let next = Self.safeNext(form["next"])
        func again(_ error: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
            ConsolePage.render(
                "login", ["title": "Sign in", "csrf": expected, "next": next ?? "", "name": name, "error": error], status: status,
                headers: headers)
        }
        switch try await passwords.check(name: name, password: form["password"] ?? "", address: context.remoteAddress) {
        case .rejected:
            return again("The operator name or the password is wrong.", status: .unauthorized)
        case .limited(let retryAfter):
            return again(
                "Too many wrong passwords: try again in \(retryAfter) seconds.", status: .tooManyRequests,
                headers: [.retryAfter: String(retryAfter)])
        case .accepted(let account) where account.role == .local:
            return again("This sign-in is for the central entity's operators; local operators sign in to the portal.", status: .forbidden)
        case .accepted(let account):
            let secret = try await sessions.open(
                for: account, address: context.remoteAddress, userAgent: request.headers[.userAgent])
            var headers = Cookies.set(Cookies.session, secret, secure: options.cookieSecure)
            headers.append(contentsOf: Cookies.set(Cookies.signInCSRF, "", secure: options.cookieSecure, maxAge: 0))
            return ConsolePage.redirect(next ?? "/console/packages", headers: headers)
        }
    }

    @Sendable func signOut(_ request: Request, context: APIContext) async throws -> Response {
        if let session = context.consoleSession { try await sessions.close(session.id) }
        return ConsolePage.redirect(
            "/console/login", headers: Cookies.set(Cookies.session, "", secure: options.cookieSecure, maxAge: 0))
    }

    /// A page of this console to go to after signing in; nothing else (no open redirect).
    static func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix("/console/"), !next.hasPrefix("/console//"), !next.contains("\\") else { return nil }
        return next
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

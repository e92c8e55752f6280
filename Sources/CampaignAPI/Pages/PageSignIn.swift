import Domain
import Hummingbird
import Store

/// Sign-in and sign-out of a ``PageSurface``: the name and password checked with the
/// limits of ``PasswordCheck`` (as the API's), a server-side session in a cookie. The
/// sign-in form's CSRF token is the one its page set in a cookie.
struct PageSignIn: Sendable {
    let surface: PageSurface
    let sessions: SessionStore
    let passwords: PasswordCheck
    let options: APIOptions

    @Sendable func page(_ request: Request, context: APIContext) async throws -> Response {
        let csrf = SessionStore.newSecret()
        return surface.render(
            "login",
            [
                "title": "Sign in", "csrf": csrf, "signInPath": surface.signInPath,
                "next": surface.safeNext(request.uri.queryParameters.get("next")) ?? "",
            ],
            headers: Cookies.set(surface.signInCookie, csrf, secure: options.cookieSecure))
    }

    @Sendable func signIn(_ request: Request, context: APIContext) async throws -> Response {
        var request = request
        let form = FormBody(try await request.collectData(context: context))
        guard let sent = form["csrf"], let expected = Cookies.value(surface.signInCookie, in: request),
            SessionStore.constantTimeEqual(sent, expected)
        else {
            return surface.message(
                "Sign in", "This form has expired: open the sign-in page again.", status: .forbidden, back: surface.signInPath,
                layout: [:])
        }
        let name = form["name"] ?? ""
        let next = surface.safeNext(form["next"])
        func again(_ error: String, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
            surface.render(
                "login",
                [
                    "title": "Sign in", "csrf": expected, "signInPath": surface.signInPath, "next": next ?? "", "name": name,
                    "error": error,
                ], status: status, headers: headers)
        }
        switch try await passwords.check(name: name, password: form["password"] ?? "", address: context.remoteAddress) {
        case .rejected:
            return again("The operator name or the password is wrong.", status: .unauthorized)
        case .limited(let retryAfter):
            return again(
                "Too many wrong passwords: try again in \(retryAfter) seconds.", status: .tooManyRequests,
                headers: [.retryAfter: String(retryAfter)])
        case .accepted(let account) where !surface.admits(account.role):
            return again(surface.otherKind, status: .forbidden)
        case .accepted(let account):
            let secret = try await sessions.open(
                for: account, address: context.remoteAddress, userAgent: request.headers[.userAgent])
            var headers = Cookies.set(surface.sessionCookie, secret, secure: options.cookieSecure)
            headers.append(contentsOf: Cookies.set(surface.signInCookie, "", secure: options.cookieSecure, maxAge: 0))
            return ConsolePage.redirect(next ?? surface.home, headers: headers)
        }
    }

    @Sendable func signOut(_ request: Request, context: APIContext) async throws -> Response {
        if let session = context.pageSession { try await sessions.close(session.id) }
        return ConsolePage.redirect(
            surface.signInPath, headers: Cookies.set(surface.sessionCookie, "", secure: options.cookieSecure, maxAge: 0))
    }
}

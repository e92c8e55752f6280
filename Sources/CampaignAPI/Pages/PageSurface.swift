import Domain
import Hummingbird
import Mustache

/// One set of pages behind a sign-in: the console (central operators) or the portal
/// (local operators). Both share the sessions, the sign-in with its password limits,
/// the CSRF protection and the way errors become pages; they differ in who may enter,
/// their cookies, their templates and where they lead.
struct PageSurface: Sendable {
    /// `/console` or `/portal`.
    let prefix: String
    /// The session cookie's name, and the sign-in form's.
    let sessionCookie: String
    let signInCookie: String
    /// Where a signed-in operator lands.
    let home: String
    let templates: Result<MustacheLibrary, any Error>
    /// Who may use these pages.
    let admits: @Sendable (OperatorRole) -> Bool
    /// Said to an operator of the other kind, on the sign-in page or a page.
    let otherKind: String
    /// What every page's layout shows (who is signed in, the CSRF token...).
    let layout: @Sendable (APIContext) -> [String: Any]

    var signInPath: String { prefix + "/login" }

    static let console = PageSurface(
        prefix: "/console", sessionCookie: "campaignd_session", signInCookie: "campaignd_signin", home: "/console/packages",
        templates: ConsoleTemplates.library, admits: { $0 != .local },
        otherKind: "This sign-in is for the central entity's operators; local operators sign in to the portal, at /portal/.",
        layout: ConsoleController.layout)

    static let portal = PageSurface(
        prefix: "/portal", sessionCookie: "campaignd_portal", signInCookie: "campaignd_portal_signin", home: "/portal/catalog",
        templates: PortalTemplates.library, admits: { $0 == .local },
        otherKind: "This sign-in is for local operators; the central entity's operators sign in to the console, at /console/.",
        layout: PortalController.layout)

    func render(_ template: String, _ data: [String: Any], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:])
        -> Response
    {
        ConsolePage.render(template, data, status: status, headers: headers, library: templates)
    }

    /// A page that says one thing (a refusal, a conflict) with a way back.
    func message(_ title: String, _ text: String, status: HTTPResponse.Status, back: String?, layout: [String: Any]) -> Response {
        var data = layout
        data["title"] = title
        data["text"] = text
        data["back"] = back
        return render("message", data, status: status)
    }

    /// A page of these pages to go to after signing in; nothing else (no open redirect).
    func safeNext(_ next: String?) -> String? {
        guard let next, next.hasPrefix(prefix + "/"), !next.hasPrefix(prefix + "//"), !next.contains("\\") else { return nil }
        return next
    }
}

import Domain
import Hummingbird
import Store

/// The console's pages behind the sign-in: a session cookie that names a live session
/// (else 303 to `/console/login`, with the page to come back to), a central operator,
/// and on every POST the session's CSRF token (else 403). Errors become pages, not JSON.
struct ConsoleSessionMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let sessions: SessionStore

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let secret = Cookies.value(Cookies.session, in: request), let session = try await sessions.find(secret) else {
            let back = request.method == .get ? request.uri.path : "/console/packages"
            let query = back.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_."))) ?? ""
            return ConsolePage.redirect("/console/login?next=\(query)")
        }
        var context = context
        context.principal = session.principal
        context.consoleSession = session
        context.logger[metadataKey: "principal"] = "\(session.principal.actorName)"
        let layout = ConsoleController.layout(context)
        guard session.principal.role == .central else {
            return ConsolePage.message(
                "Not for local operators", "The console is the central entity's; local operators use the portal.",
                status: .forbidden, back: nil, layout: layout)
        }
        var request = request
        if request.method == .post {
            // Collected once here; the handler reads the same buffered body.
            let form = FormBody(try await request.collectData(context: context))
            guard let sent = form["csrf"], SessionStore.constantTimeEqual(sent, session.csrfToken) else {
                return ConsolePage.message(
                    "Refused", "This form is not from this session (a missing or wrong CSRF token): reload the page and try again.",
                    status: .forbidden, back: "/console/packages", layout: layout)
            }
        }
        return try await answer(request, context, layout: layout, next: next)
    }

    /// Runs the page, showing a refusal or a conflict as a page with a way back.
    private func answer(
        _ request: Request, _ context: APIContext, layout: [String: Any],
        next: (Request, APIContext) async throws -> Response
    ) async throws -> Response {
        let back = request.method == .post ? request.uri.path.components(separatedBy: "/").prefix(4).joined(separator: "/") : nil
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return ConsolePage.message(error.status.reasonPhrase, error.detail, status: error.status, back: back, layout: layout)
        } catch let error as StoreError {
            let api = APIError(error)
            return ConsolePage.message(api.status.reasonPhrase, api.detail, status: api.status, back: back, layout: layout)
        } catch let refusal as ApprovalRules.Refusal {
            let api = APIError(refusal)
            return ConsolePage.message(api.status.reasonPhrase, api.detail, status: api.status, back: back, layout: layout)
        } catch let refusal as TransitionRefusal {
            return ConsolePage.message("Not now", refusal.reason, status: .conflict, back: back, layout: layout)
        } catch let failure as ValidationFailure {
            return ConsolePage.message("Not valid", failure.description, status: .unprocessableContent, back: back, layout: layout)
        }
    }
}

import Domain
import Hummingbird
import Store

/// Pages behind the sign-in: a session cookie that names a live session (else 303 to the
/// surface's sign-in, with the page to come back to), an operator the surface admits, and
/// on every POST the session's CSRF token (else 403). Errors become pages, not JSON.
struct PageSessionMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let surface: PageSurface
    let sessions: SessionStore

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        guard let secret = Cookies.value(surface.sessionCookie, in: request), let session = try await sessions.find(secret)
        else {
            let back = request.method == .get ? request.uri.path : surface.home
            let query = back.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "/-_."))) ?? ""
            return ConsolePage.redirect("\(surface.signInPath)?next=\(query)")
        }
        var context = context
        context.principal = session.principal
        context.pageSession = session
        context.logger[metadataKey: "principal"] = "\(session.principal.actorName)"
        let layout = surface.layout(context)
        guard surface.admits(session.principal.operatorRole) else {
            return surface.message("Not for you", surface.otherKind, status: .forbidden, back: nil, layout: layout)
        }
        var request = request
        if request.method == .post {
            // Collected once here; the handler reads the same buffered body.
            let form = FormBody(try await request.collectData(context: context))
            guard let sent = form["csrf"], SessionStore.constantTimeEqual(sent, session.csrfToken) else {
                return surface.message(
                    "Refused", "This form is not from this session (a missing or wrong CSRF token): reload the page and try again.",
                    status: .forbidden, back: surface.home, layout: layout)
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
        func page(_ error: APIError) -> Response {
            surface.message(error.status.reasonPhrase, error.detail, status: error.status, back: back, layout: layout)
        }
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return page(error)
        } catch let error as StoreError {
            return page(APIError(error))
        } catch let refusal as ApprovalRules.Refusal {
            return page(APIError(refusal))
        } catch let refusal as TransitionRefusal {
            return surface.message("Not now", refusal.reason, status: .conflict, back: back, layout: layout)
        } catch let failure as ValidationFailure {
            return surface.message("Not valid", failure.description, status: .unprocessableContent, back: back, layout: layout)
        }
    }
}

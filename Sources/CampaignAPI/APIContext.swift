import Domain
import Hummingbird
import Logging
import NIOCore
import Store

/// The request context of the `/v1` API: who is calling.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by ``AuthMiddleware`` for every `/v1` request that gets past it.
    public var principal: Principal?
    /// The route as ``AccessRules`` knows it, set with `principal`.
    public var route: APIRoute?
    /// The signed-in session of a console or portal page (``PageSessionMiddleware``).
    public var pageSession: SessionStore.Session?
    /// The request's connection (to notice a client that leaves during a long poll).
    public let channel: (any Channel)?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.principal = nil
        self.route = nil
        self.pageSession = nil
        self.channel = source.channel
    }

    /// Bodies are read by the API's own decoder: exact numbers, every problem at once.
    public var requestDecoder: APIRequestDecoder { APIRequestDecoder() }

    /// Request bodies are JSON documents of a few kilobytes; 1 MiB is plenty.
    public var maxUploadSize: Int { 1 << 20 }

    /// The caller, or 401 (only reachable when a route is registered outside the auth middleware).
    func requirePrincipal() throws -> Principal {
        guard let principal else { throw APIError.unauthorized }
        return principal
    }

    /// The caller when it is a central operator, else 403.
    func requireCentral() throws -> Principal {
        let principal = try requirePrincipal()
        guard principal.role == .central else {
            let needed = route.flatMap(AccessRules.minimumCentralRole) ?? .viewer
            throw APIError(.centralOnly(needed), route: route, role: principal.operatorRole)
        }
        return principal
    }

    /// The caller when it is a local entity, else 403.
    func requireLocal() throws -> (principal: Principal, entityID: Int) {
        let principal = try requirePrincipal()
        guard let entityID = principal.entityID else {
            throw APIError(.localOnly, route: route, role: principal.operatorRole)
        }
        return (principal, entityID)
    }
}

extension RequestContext {
    /// A numeric path parameter (`:id`); 404 when it is not a number, as for an unknown id.
    func id(_ name: String = "id", _ what: String) throws -> Int {
        guard let text = parameters.get(name), let value = Int(text), value > 0 else { throw APIError.notFound(what) }
        return value
    }
}

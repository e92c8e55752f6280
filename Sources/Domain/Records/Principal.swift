/// Who a request acts for: a central operator, or one local entity.
public enum Principal: Sendable, Equatable, Hashable {
    case central(operatorID: Int, name: String)
    case local(entityID: Int, code: String)
    /// campaignd itself (scheduled publication, job workers), acting for the central entity.
    case system(String)

    public var role: ActorRole {
        switch self {
        case .central, .system: .central
        case .local: .local
        }
    }

    /// How the principal appears in `created_by`, `updated_by` and the journal.
    public var actorName: String {
        switch self {
        case .central(_, let name): "operator:\(name)"
        case .local(_, let code): "entity:\(code)"
        case .system(let name): "system:\(name)"
        }
    }

    /// The entity of a local principal.
    public var entityID: Int? {
        if case .local(let id, _) = self { return id }
        return nil
    }
}

/// Who a request acts for: a central operator, or one local entity.
public enum Principal: Sendable, Equatable, Hashable {
    /// A person or program of the head office, with its role.
    case central(operatorID: Int, name: String, role: OperatorRole)
    /// A local entity: its token (`operatorName` nil), or one of its local operators.
    case local(entityID: Int, code: String, operatorName: String?)
    /// campaignd itself (scheduled publication, job workers), acting for the central entity.
    case system(String)

    public var role: ActorRole {
        switch self {
        case .central, .system: .central
        case .local: .local
        }
    }

    /// What the access rules compare (``AccessRules``): campaignd itself counts as an admin.
    public var operatorRole: OperatorRole {
        switch self {
        case .central(_, _, let role): role
        case .local: .local
        case .system: .admin
        }
    }

    /// The operator's name, for a central or local operator.
    public var operatorName: String? {
        switch self {
        case .central(_, let name, _): name
        case .local(_, _, let name): name
        case .system: nil
        }
    }

    /// How the principal appears in `created_by`, `updated_by` and the journal.
    public var actorName: String {
        switch self {
        case .central(_, let name, _): "operator:\(name)"
        case .local(_, let code, nil): "entity:\(code)"
        case .local(_, let code, let name?): "entity:\(code)/operator:\(name)"
        case .system(let name): "system:\(name)"
        }
    }

    /// The entity of a local principal.
    public var entityID: Int? {
        if case .local(let id, _, _) = self { return id }
        return nil
    }
}

/// Who acts: the central entity (back office) or a local entity.
public enum ActorRole: String, Codable, Sendable, CaseIterable {
    case central
    case local
}

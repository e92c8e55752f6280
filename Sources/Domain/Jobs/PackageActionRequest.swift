/// The payload of a cancel or reinitialize job: what the operator asked, kept from the
/// request to the job that applies it.
public struct PackageActionRequest: Sendable, Codable, Equatable {
    /// The justifying comment (required for a cancel, see ``PackageRules``).
    public var comment: String?
    /// The actor name of whoever asked (journal entries and `cancelled_by`).
    public var requestedBy: String

    public init(comment: String?, requestedBy: String) {
        self.comment = comment
        self.requestedBy = requestedBy
    }

    enum CodingKeys: String, CodingKey {
        case comment
        case requestedBy = "requested_by"
    }
}

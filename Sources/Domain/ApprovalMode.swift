/// How the orders of a package get approved.
public enum ApprovalMode: String, Codable, Sendable, CaseIterable {
    /// A central approver approves or rejects each order.
    case manual
    /// Orders are approved as soon as they are placed.
    case automatic
}

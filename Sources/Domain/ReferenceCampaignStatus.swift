/// The state of a collaborative package's reference campaign
/// (`central.reference_campaigns.status`).
public enum ReferenceCampaignStatus: String, Sendable, Codable, CaseIterable {
    case beingEdited = "being_edited"
    case running
    case cancelled
}

/// What kind of campaign a package generates.
///
/// A `local` package becomes a local campaign per approved order; a `collaborative`
/// package drives one reference campaign shared by its audience.
public enum PackageType: String, Codable, Sendable, CaseIterable {
    case local
    case collaborative
}

import Crypto
import Foundation

/// A bearer token: `cdt_` + a 16-hex-digit public lookup + a 64-hex-digit secret.
///
/// Only the SHA-256 of the whole token is stored. The lookup finds the row; the hash
/// is then compared in constant time.
public struct APIToken: Sendable, Equatable {
    public static let prefix = "cdt_"
    public let lookup: String
    public let secret: String

    public var text: String { Self.prefix + lookup + secret }
    public var secretHash: String { Self.hash(text) }

    /// A new random token (the system generator is cryptographically secure).
    public static func generate() -> APIToken {
        var generator = SystemRandomNumberGenerator()
        func hex(_ count: Int) -> String {
            (0..<count).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &generator)) }.joined()
        }
        return APIToken(lookup: hex(8), secret: hex(32))
    }

    /// Parses a presented token; `nil` when it does not have a token's shape.
    public init?(parsing text: String) {
        guard text.hasPrefix(Self.prefix) else { return nil }
        let body = text.dropFirst(Self.prefix.count)
        guard body.count == 80, body.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        self.init(lookup: String(body.prefix(16)), secret: String(body.dropFirst(16)))
    }

    init(lookup: String, secret: String) {
        self.lookup = lookup
        self.secret = secret
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two equal-length strings without an early exit.
    static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

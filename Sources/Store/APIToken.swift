import Crypto
import Foundation
import Postgres

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
            (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }.hexEncoded
        }
        return APIToken(lookup: hex(8), secret: hex(32))
    }

    /// Parses a presented token; `nil` when it does not have a token's shape.
    public init?(parsing text: String) {
        // Bytes, not Characters: this runs on every request, and a token is ASCII anyway.
        let utf8 = text.utf8
        guard utf8.count == Self.prefix.utf8.count + 80, utf8.starts(with: Self.prefix.utf8) else { return nil }
        let body = utf8.dropFirst(Self.prefix.utf8.count)
        guard body.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) })
        else { return nil }
        self.init(lookup: String(decoding: body.prefix(16), as: UTF8.self), secret: String(decoding: body.dropFirst(16), as: UTF8.self))
    }

    init(lookup: String, secret: String) {
        self.lookup = lookup
        self.secret = secret
    }

    static func hash(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).hexEncoded
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

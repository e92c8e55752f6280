import CoreMetrics
import Crypto
import CryptoExtras
import Foundation
import NIOPosix
import Synchronization

/// Operators' passwords as scrypt hashes in PHC form, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>`
/// (base64 without padding), through swift-crypto's scrypt (BoringSSL).
///
/// scrypt rather than bcrypt: bcrypt reads only the first 72 bytes of a password, and
/// passwords may have 1,024 characters. The parameters are OWASP's minimum (N = 2^17,
/// r = 8, p = 1: 128 MiB and a few hundred milliseconds a check); they are stored with
/// each hash, so raising them later leaves the older hashes valid.
///
/// The work runs on two threads of its own, never on an event loop: at most two
/// derivations at a time, so a burst of sign-ins costs 256 MiB and queues, and requests
/// that need no password are not slowed.
public final class PasswordHasher: Sendable {
    public struct Parameters: Sendable, Equatable, CustomStringConvertible {
        /// log2 of N, the CPU and memory cost.
        public let logRounds: Int
        /// r
        public let blockSize: Int
        /// p
        public let parallelism: Int

        public init(logRounds: Int, blockSize: Int, parallelism: Int) {
            self.logRounds = logRounds
            self.blockSize = blockSize
            self.parallelism = parallelism
        }

        public var description: String { "ln=\(logRounds),r=\(blockSize),p=\(parallelism)" }
    }

    public static let standard = Parameters(logRounds: 17, blockSize: 8, parallelism: 1)
    static let saltBytes = 16
    static let hashBytes = 32

    public let parameters: Parameters
    private let threads: NIOThreadPool
    private let derived = Atomic<Int>(0)
    private let counter = Counter(label: "campaignd_password_derivations_total")

    public init(parameters: Parameters = PasswordHasher.standard) {
        self.parameters = parameters
        self.threads = NIOThreadPool(numberOfThreads: 2)
        threads.start()
    }

    deinit {
        threads.shutdownGracefully { _ in }
    }

    /// How many derivations this hasher has run (what a check costs, for tests).
    public var derivations: Int { derived.load(ordering: .relaxed) }

    /// A new salted hash of `password`.
    public func hash(_ password: String) async throws -> String {
        let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: .min ... .max) }
        let key = try await derive(password, salt: salt, parameters: parameters)
        return "$scrypt$\(parameters)$\(Self.base64(salt))$\(Self.base64(key))"
    }

    /// Whether `password` matches `stored`. With no stored hash (an unknown operator, one
    /// without a password) it runs the same derivation against nothing and answers false:
    /// the time of the answer does not tell whether the operator exists.
    public func verify(_ password: String, against stored: String?) async throws -> Bool {
        guard let stored, let parsed = Self.parse(stored) else {
            let salt = (0..<Self.saltBytes).map { _ in UInt8.random(in: .min ... .max) }
            _ = try await derive(password, salt: salt, parameters: parameters)
            return false
        }
        let key = try await derive(password, salt: parsed.salt, parameters: parsed.parameters)
        return Self.constantTimeEqual(key, parsed.hash)
    }

    /// Whether `stored` was made with weaker parameters than this hasher's.
    public func needsRehash(_ stored: String) -> Bool {
        Self.parse(stored)?.parameters != parameters
    }

    private func derive(_ password: String, salt: [UInt8], parameters: Parameters) async throws -> [UInt8] {
        derived.add(1, ordering: .relaxed)
        counter.increment()
        return try await threads.runIfActive {
            let key = try KDF.Scrypt.deriveKey(
                from: Array(password.utf8), salt: salt, outputByteCount: Self.hashBytes,
                rounds: 1 << parameters.logRounds, blockSize: parameters.blockSize, parallelism: parameters.parallelism)
            return key.withUnsafeBytes { Array($0) }
        }
    }

    /// `$scrypt$ln=..,r=..,p=..$salt$hash`, or `nil` for any other text.
    static func parse(_ stored: String) -> (parameters: Parameters, salt: [UInt8], hash: [UInt8])? {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0].isEmpty, parts[1] == "scrypt" else { return nil }
        var values: [Substring: Int] = [:]
        for pair in parts[2].split(separator: ",") {
            let halves = pair.split(separator: "=", maxSplits: 1)
            guard halves.count == 2, let value = Int(halves[1]) else { return nil }
            values[halves[0]] = value
        }
        guard let ln = values["ln"], let r = values["r"], let p = values["p"], (1...30).contains(ln), r > 0, p > 0,
            let salt = unbase64(parts[3]), let hash = unbase64(parts[4]), !salt.isEmpty, hash.count == hashBytes
        else { return nil }
        return (Parameters(logRounds: ln, blockSize: r, parallelism: p), salt, hash)
    }

    static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "=", with: "")
    }

    static func unbase64(_ text: Substring) -> [UInt8]? {
        var padded = String(text)
        while padded.utf8.count % 4 != 0 { padded += "=" }
        return Data(base64Encoded: padded).map(Array.init)
    }

    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

import Domain
import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#endif

/// Where webhooks may be sent: the URL's form, and the addresses its host resolves to.
///
/// Checked at registration (a clear 422) and again before every attempt, on the
/// addresses the attempt will connect to: a name that resolved to a public address at
/// registration and resolves to 127.0.0.1 later (DNS rebinding) is refused then. The
/// sender connects to the very address checked, so the check and the connection cannot
/// see two different answers.
public struct WebhookAddressPolicy: Sendable {
    /// Loopback, link-local and private addresses allowed (tests, closed networks).
    public var allowPrivate: Bool

    public init(allowPrivate: Bool) {
        self.allowPrivate = allowPrivate
    }

    /// A URL in the parts the sender needs.
    public struct Target: Sendable, Equatable {
        public var url: URL
        public var host: String
        public var port: Int
        public var isHTTPS: Bool
    }

    /// Why a webhook cannot be sent where it asks.
    public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The URL's form: `http://` or `https://`, a host, no credentials, at most 2,000
    /// characters. Returns the problem, or the target.
    public static func parse(_ text: String) -> Result<Target, Refusal> {
        guard text.count <= 2000 else { return .failure(Refusal(message: "must be at most 2000 characters")) }
        guard let components = URLComponents(string: text), let url = components.url,
            let scheme = components.scheme?.lowercased(), ["http", "https"].contains(scheme)
        else { return .failure(Refusal(message: "must be an http:// or https:// URL")) }
        guard let host = components.host, !host.isEmpty else {
            return .failure(Refusal(message: "must name a host"))
        }
        guard components.user == nil, components.password == nil else {
            return .failure(Refusal(message: "must not carry credentials (user:password@)"))
        }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else { return .failure(Refusal(message: "must have a port from 1 to 65535")) }
        return .success(Target(url: url, host: host, port: port, isHTTPS: scheme == "https"))
    }

    /// The addresses a delivery to `target` may connect to: every address the host
    /// resolves to, or a refusal when one of them is not allowed (a name with one private
    /// address among public ones is refused: which one a connection uses is not ours to pick).
    public func addresses(of target: Target) async throws -> [NetworkAddress] {
        let addresses = try await Self.resolve(target.host)
        guard !addresses.isEmpty else { throw Refusal(message: "\(target.host) has no address") }
        if !allowPrivate {
            for address in addresses {
                if let reason = address.refusal {
                    throw Refusal(
                        message:
                            "\(target.host) resolves to \(address), \(reason); such targets need --webhook-allow-private")
                }
            }
        }
        return addresses
    }

    /// An IP literal as its bytes, without resolving anything.
    public static func literal(_ host: String) -> NetworkAddress? {
        var text = host
        if text.hasPrefix("["), text.hasSuffix("]") { text = String(text.dropFirst().dropLast()) }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { NetworkAddress(bytes: Array($0)) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { NetworkAddress(bytes: Array($0)) }
        }
        return nil
    }

    /// The host's addresses: itself when it is an IP literal, else `getaddrinfo`'s
    /// answers (on NIO's blocking thread pool).
    static func resolve(_ host: String) async throws -> [NetworkAddress] {
        if let literal = literal(host) { return [literal] }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let status = getaddrinfo(host, nil, &hints, &list)
            guard status == 0 else {
                throw Refusal(message: "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
            }
            defer { freeaddrinfo(list) }
            var found: [NetworkAddress] = []
            var next = list
            while let info = next?.pointee {
                if info.ai_family == AF_INET, let address = info.ai_addr {
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                        var bytes = pointer.pointee.sin_addr
                        withUnsafeBytes(of: &bytes) { if let a = NetworkAddress(bytes: Array($0)) { found.append(a) } }
                    }
                } else if info.ai_family == AF_INET6, let address = info.ai_addr {
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                        var bytes = pointer.pointee.sin6_addr
                        withUnsafeBytes(of: &bytes) { if let a = NetworkAddress(bytes: Array($0)) { found.append(a) } }
                    }
                }
                next = info.ai_next
            }
            var seen = Set<NetworkAddress>()
            return found.filter { seen.insert($0).inserted }
        }
    }
}

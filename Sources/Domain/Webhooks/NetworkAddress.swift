/// An IPv4 or IPv6 address, as the bytes a resolver gives, and whether a webhook may be
/// sent there.
///
/// Webhook URLs are given by callers, so the daemon must not become a way to reach what
/// only it can reach: its own loopback, the link-local metadata services of clouds
/// (169.254.169.254), private networks. These are refused unless the daemon runs with
/// `--webhook-allow-private`.
public struct NetworkAddress: Sendable, Hashable, CustomStringConvertible {
    /// 4 bytes (IPv4) or 16 (IPv6), network order.
    public let bytes: [UInt8]

    public init?(bytes: [UInt8]) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        self.bytes = bytes
    }

    public var description: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }

    /// Why a webhook may not be sent to this address, or nil when it may: loopback,
    /// unspecified, link-local, private (RFC 1918, unique local), shared (CGNAT),
    /// multicast, reserved and documentation ranges; IPv4 inside IPv6 (mapped, NAT64) is
    /// judged as the IPv4 address it carries.
    public var refusal: String? {
        if bytes.count == 4 { return Self.refusalV4(bytes) }
        let b = bytes
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return Self.refusalV4(Array(b[12...])) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..<12].allSatisfy({ $0 == 0 }) {
            return Self.refusalV4(Array(b[12...]))
        }
        if b[0..<15].allSatisfy({ $0 == 0 }) { return b[15] == 1 ? "a loopback address" : "the unspecified address" }
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return "a link-local address" }
        if b[0] & 0xfe == 0xfc { return "a private (unique local) address" }
        if b[0] == 0xff { return "a multicast address" }
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return "a documentation address" }
        return nil
    }

    static func refusalV4(_ b: [UInt8]) -> String? {
        switch (b[0], b[1]) {
        case (0, _): "the unspecified network"
        case (127, _): "a loopback address"
        case (10, _), (172, 16...31), (192, 168): "a private address"
        case (100, 64...127): "a shared (carrier-grade NAT) address"
        case (169, 254): "a link-local address"
        case (192, 0) where b[2] == 0 || b[2] == 2: "a reserved address"
        case (198, 18...19): "a benchmarking address"
        case (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: "a documentation address"
        case (224...239, _): "a multicast address"
        case (240...255, _): "a reserved address"
        default: nil
        }
    }
}

/// Lower-case hexadecimal text of bytes: how checksums, token hashes and random secrets
/// are written to text columns and headers. (`String(format: "%02x")` per byte costs
/// microseconds per call: too much on a per-request path.)
extension Sequence<UInt8> {
    public var hexEncoded: String {
        var text: [UInt8] = []
        text.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

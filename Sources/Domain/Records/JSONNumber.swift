/// A JSON number kept as its text, so that no digit is lost on the way through the daemon.
///
/// A `Double` holds 15 to 17 significant digits: `12345678901234567890` would come back as
/// `12345678901234567000`, and a cursor past 2^53 as another cursor. The API reads numbers
/// with ``JSONValue/init(parsing:)``, which keeps their text; PostgreSQL's `jsonb` keeps
/// them as `numeric`, exactly; and ``JSONValue/serialized`` writes the text back.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    /// The number as JSON text (RFC 8259 §6), e.g. `-12.5e3`.
    public let text: String

    /// A whole number.
    public init(_ value: Int) {
        text = String(value)
    }

    /// A binary floating-point value; `nil` for infinities and NaN, which JSON cannot hold.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if value.rounded() == value, abs(value) < 9_007_199_254_740_992 {
            text = String(Int64(value))
        } else {
            text = value.description
        }
    }

    /// Text that follows JSON's number grammar; `nil` otherwise.
    public init?(text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard Self.length(of: bytes[...]) == bytes.count else { return nil }
        self.text = String(text)
    }

    init(validatedText: String) {
        text = validatedText
    }

    /// The value as a 64-bit integer, when it is one exactly (`12`, not `12.0` or `1e3`).
    public var int: Int? { Int(text) }

    /// The nearest `Double` (digits beyond its precision are rounded).
    public var double: Double { Double(text) ?? .nan }

    public var description: String { text }

    /// Whether `jsonb` can store the number: PostgreSQL's `numeric` holds up to 131,072
    /// digits before the decimal point and 16,383 after it, once the exponent is applied.
    public var isStorable: Bool {
        var mantissa = Substring(text)
        if mantissa.hasPrefix("-") { mantissa = mantissa.dropFirst() }
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            let digits = mantissa[mantissa.index(after: e)...]
            guard digits.count <= 10, let value = Int(digits.hasPrefix("+") ? digits.dropFirst() : digits) else {
                return false
            }
            exponent = value
            mantissa = mantissa[..<e]
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = parts[0].drop { $0 == "0" }
        let fraction = parts.count > 1 ? parts[1] : ""
        guard fraction.count - exponent <= 16_383 else { return false }
        if !whole.isEmpty { return whole.count + exponent <= 131_072 }
        guard let first = fraction.firstIndex(where: { $0 != "0" }) else { return true }  // zero
        return exponent - fraction.distance(from: fraction.startIndex, to: first) <= 131_072
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral {
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    public init(floatLiteral value: Double) {
        text = JSONNumber(value)?.text ?? "0"
    }
}

extension JSONNumber {

    /// How many bytes at the start of `bytes` form a JSON number: `-? int frac? exp?`; 0 when none.
    static func length(of bytes: ArraySlice<UInt8>) -> Int {
        var index = bytes.startIndex
        func isDigit(_ at: Int) -> Bool { at < bytes.endIndex && (48...57).contains(bytes[at]) }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit(index) else { return 0 }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while isDigit(index) { index += 1 }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            guard isDigit(index + 1) else { return 0 }
            index += 1
            while isDigit(index) { index += 1 }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            var next = index + 1
            if next < bytes.endIndex, bytes[next] == UInt8(ascii: "+") || bytes[next] == UInt8(ascii: "-") { next += 1 }
            guard isDigit(next) else { return 0 }
            index = next
            while isDigit(index) { index += 1 }
        }
        return index - bytes.startIndex
    }
}

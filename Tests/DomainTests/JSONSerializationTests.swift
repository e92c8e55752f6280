import Domain
import Foundation
import Testing

@Suite struct JSONSerializationTests {
    static let samples: [JSONValue] = [
        .null, .bool(true), .bool(false), .number(0), .number(-42), .number(1.5), .number(-0.25),
        .number(9_007_199_254_740_991), .number(1e300), .string(""), .string("plain"),
        .string("quote \" backslash \\ slash / tab \t newline \n return \r"),
        .string("controls \u{0} \u{1} \u{8} \u{b} \u{c} \u{1f} \u{7f}"),
        .string("Unicode: 캠페인 é 🎉 \u{2028}"),
        .array([]), .object([:]),
        .array([.number(1), .string("two"), .null, .array([.bool(false)])]),
        .object(["b": .number(2), "a": .object(["z": .null, "y": .array([.string("x")])]), "next_cursor": .string("10")]),
    ]

    /// Byte for byte the text `JSONEncoder` writes with the options the API used before.
    @Test(arguments: samples) func matchesJSONEncoder(_ value: JSONValue) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let expected = try encoder.encode(value)
        #expect(String(decoding: value.serialized, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(value.serialized)) == value)
    }

    @Test func nonFiniteNumbersBecomeNull() {
        #expect(JSONValue.array([.number(.nan), .number(.infinity)]).serialized == Array("[null,null]".utf8))
    }
}

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

    /// What the daemon writes, it reads back as the same value.
    @Test(arguments: samples) func parsesWhatItWrites(_ value: JSONValue) throws {
        #expect(try JSONValue(parsing: value.serialized) == value)
    }

    /// Numbers keep every digit: ids and cursors past 2^53, and whatever clients store.
    @Test(arguments: [
        "9007199254740993", "12345678901234567890", "-9223372036854775808", "0.1", "1.50", "-0", "1e400",
        "3.141592653589793238462643383279502884197", "6.02E+23", "1E-7",
    ])
    func numbersKeepTheirText(_ text: String) throws {
        let value = try JSONValue(parsing: Array("{\"n\": [\(text)]}".utf8))
        #expect(String(decoding: value.serialized, as: UTF8.self) == "{\"n\":[\(text)]}")
        #expect(value == .object(["n": .array([.number(try #require(JSONNumber(text: text)))])]))
    }

    @Test func integersAreExact() {
        #expect(JSONNumber(text: "9007199254740993")?.int == 9_007_199_254_740_993)
        #expect(JSONNumber(text: "9223372036854775807")?.int == Int.max)
        #expect(JSONNumber(text: "9223372036854775808")?.int == nil)
        #expect(JSONNumber(text: "12.0")?.int == nil)
        #expect(JSONNumber(9_007_199_254_740_993).text == "9007199254740993")
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", #"{"a":1,}"#, "01", "1.", ".5", "+1", "1e", "-", "NaN", "Infinity", "tru", "nul",
        #""unterminated"#, "\"tab\there\"", #""\x""#, #""\u12""#, #""\ud800""#, #""\udc00""#,
        #""\ud800\u0041""#, "{1: 2}", "[1] [2]", #"{"a" 1}"#, "[1 2]",
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(text.utf8)) }
    }

    @Test func refusesInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
        let depth = JSONValue.maximumDepth
        let deep = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(throws: JSONValue.ParseError.self) { try JSONValue(parsing: Array(deep.utf8)) }
        let allowed = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(throws: Never.self) { try JSONValue(parsing: Array(allowed.utf8)) }
    }

    /// What PostgreSQL's numeric holds: 131,072 digits before the point, 16,383 after.
    @Test(arguments: [
        ("1e131071", true), ("1e131072", false), ("9.9e131071", true), ("0.5e-16382", true), ("0.5e-16383", false),
        ("1e-16383", true), ("1e-16384", false), ("0e-16383", true), ("0.01e131073", true), ("0.01e131074", false),
        ("-12.5", true), ("1e99999999999", false), ("0", true), ("0.0", true),
    ])
    func storableNumbers(_ text: String, _ storable: Bool) throws {
        #expect(try #require(JSONNumber(text: text)).isStorable == storable)
    }

    @Test func decodesEscapesAndKeepsTheLastOfTwoKeys() throws {
        let text = #" { "s" : "a\"b\\c\/d\b\f\n\r\t\u00e9\ud83c\udf89" , "k": 1, "k": 2 } "#
        let expected = JSONValue.object(["s": .string("a\"b\\c/d\u{8}\u{c}\n\r\té🎉"), "k": .number(2)])
        #expect(try JSONValue(parsing: Array(text.utf8)) == expected)
    }
}

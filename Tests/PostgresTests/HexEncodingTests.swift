import Postgres
import Testing

@Suite struct HexEncodingTests {
    @Test func bytesBecomeLowerCaseHexDigits() {
        #expect([UInt8]().hexEncoded == "")
        #expect([0x00, 0x01, 0x7f, 0x80, 0xab, 0xff].hexEncoded == "00017f80abff")
        #expect((0...255).map { UInt8($0) }.hexEncoded.count == 512)
        let everyByte = (0...255).map { UInt8($0) }.hexEncoded
        #expect(everyByte.hasPrefix("000102") && everyByte.hasSuffix("fdfeff"))
    }
}

import Testing
@testable import TraceModel

@Suite struct IDTests {
    @Test func fullHexRoundTrips() {
        let id = TraceID("5B8EFFF798038103D269B633813FC60C")!
        #expect(id.high == 0x5B8E_FFF7_9803_8103)
        #expect(id.low == 0xD269_B633_813F_C60C)
        #expect(id.hex == "5b8efff798038103d269b633813fc60c")
    }

    @Test func shortHexIsLeftPadded() {
        #expect(TraceID("11")!.hex == "00000000000000000000000000000011")
        #expect(TraceID("1234567890abcdef1")!.high == 1)
        #expect(SpanID("4")!.hex == "0000000000000004")
    }

    @Test func base64IdsFromOldExporters() {
        // 16 bytes 0x00..0x0f and 8 bytes 0x00..0x07, base64-encoded.
        #expect(TraceID("AAECAwQFBgcICQoLDA0ODw==")!.hex == "000102030405060708090a0b0c0d0e0f")
        #expect(SpanID("AAECAwQFBgc=")!.hex == "0001020304050607")
    }

    @Test(arguments: ["", "xyz", "123456789012345678901234567890123", "AAE="])
    func invalidTraceIDs(_ text: String) {
        #expect(TraceID(text) == nil)
    }

    @Test func invalidSpanIDs() {
        #expect(SpanID("") == nil)
        #expect(SpanID("12345678901234567") == nil)
        #expect(SpanID("g") == nil)
    }

    @Test func orderingIsNumeric() {
        #expect(TraceID("ff")! < TraceID("100")!)
        #expect(TraceID("1" + String(repeating: "0", count: 16))! > TraceID("ffffffffffffffff")!)
    }
}

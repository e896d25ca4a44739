import LogInput
import Testing

@Suite struct LogTimeAndJSONTests {
    @Test func eveAndZeekTimes() {
        let expected: Int64 = 1_796_073_575_391_779_000
        #expect(LogTime.parseISO("2026-11-30T21:19:35.391779+0000") == expected)
        #expect(LogTime.parseISO("2026-11-30T23:19:35.391779+0200") == expected)
        #expect(LogTime.parseISO("2026-11-30T21:19:35.391779Z") == expected)
        #expect(LogTime.parseISO("2026-11-30T22:19:35.391779+01:00") == expected)
        #expect(LogTime.parseEpoch("1796073575.391779") == expected)
        #expect(LogTime.parse("1796073575.391779") == expected)
        #expect(LogTime.parse("2026-11-30T21:19:35.391779Z") == expected)
        #expect(LogTime.parseEpoch("1.5e-05") == 15_000)
        #expect(LogTime.parseEpoch("0.000015") == 15_000)
        #expect(LogTime.sum(.max - 1, 5) == .max)
        #expect(LogTime.sum(8_999_999_999_000_000_000, 8_999_999_999_000_000_000) == .max)
        for bad in ["", "-", "abc", "2026-13-30T21:19:35Z", "2026-11-30T21:19:35.+0000", "1e999", "99999999999999999999", "-5", "9999-12-31T23:59:59Z",
                    "1969-12-31T23:59:59Z", "9000000000.5", "9e9"] {
            #expect(LogTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func jsonValues() throws {
        let value = try JSONParser.parse(Array(#"{"a":{"b":[1,"x\u00e9\ud83d\ude00",true,null]},"id.orig_h":"10.0.0.1","n":18446744073709551615}"#.utf8))
        #expect(value.path("a.b")?.array?.count == 4)
        #expect(value.path("a.b")?.array?[1].string == "xé😀")
        #expect(value.path("id.orig_h")?.string == "10.0.0.1")
        #expect(value["n"]?.integer == nil)  // too big: not an Int64, no trap
        for bad in ["", "{", "{\"a\":}", "[1,]", "\"\\q\"", "{\"a\":1}x", "tru", "-", "\"\u{1}\""] {
            #expect(throws: JSONError.self, "\(bad)") { try JSONParser.parse(Array(bad.utf8)) }
        }
    }
}

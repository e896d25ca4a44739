@testable import Reports
import Schema
import Testing

/// The byte-level writing the JSON and CSV projections share (`JSONBytes`), against
/// the standard library's own formatting and a byte-by-byte reference.
struct JSONBytesTests {
    func decimal<T: BinaryInteger>(_ value: T) -> String {
        var bytes: [UInt8] = [UInt8(ascii: "x")]  // appended after what a buffer holds
        JSONBytes.appendInteger(value, to: &bytes)
        return String(decoding: bytes.dropFirst(), as: UTF8.self)
    }

    @Test func integersMatchTheStandardLibrary() {
        let signed: [Int64] = [0, 1, -1, 9, 10, -10, 99, 100, 12_345, Int64.max, Int64.min, Int64.min + 1]
        for value in signed { #expect(decimal(value) == String(value)) }
        let unsigned: [UInt64] = [0, 7, 10_000_000_000_000_000_000, UInt64.max]
        for value in unsigned { #expect(decimal(value) == String(value)) }
        #expect(decimal(Int32(-218)) == "-218")
        #expect(decimal(UInt8(255)) == "255")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let value = Int64(bitPattern: generator.next()) >> Int64.random(in: 0..<63)
            #expect(decimal(value) == String(value))
        }
    }

    @Test func zeroPadding() {
        var bytes: [UInt8] = []
        JSONBytes.appendDecimal(42, minimumDigits: 6, to: &bytes)
        JSONBytes.appendDecimal(0, minimumDigits: 9, to: &bytes)
        JSONBytes.appendDecimal(123_456_789, minimumDigits: 2, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "000042" + "000000000" + "123456789")
    }

    /// Every position of every byte that needs escaping, in strings long enough for
    /// the 8-byte scan and its tail: the scan finds each, and nothing else.
    @Test func escapeScanFindsEveryByte() {
        for length in 1...20 {
            for position in 0..<length {
                for byte in UInt8(0)...UInt8(255) {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    text[position] = byte
                    let expected = byte < 0x20 || byte == 0x7F || byte == 0x22 || byte == 0x5C
                    let found = text.withUnsafeBufferPointer { JSONBytes.needsEscape($0) }
                    #expect(found == expected, "byte \(byte) at \(position) of \(length)")
                }
            }
        }
        // Bytes next to the tested ranges (0x1F/0x20, 0x21/0x22/0x23, 0x5B/0x5C/0x5D,
        // 0x7E/0x7F/0x80) and UTF-8 sequences, all in one word.
        let clean = Array("\u{20}!#[]~\u{80}é€😀 plain text, longer than a word".utf8)
        #expect(!clean.withUnsafeBufferPointer { JSONBytes.needsEscape($0) })
    }

    @Test func quotedLongStrings() {
        let long = String(repeating: "abcdefgh", count: 5)
        var bytes: [UInt8] = []
        JSONBytes.appendQuoted(long + "\"" + long + "\u{7F}\n", to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "\"" + long + "\\\"" + long + "\\u007f\\n\"")
    }

    /// The fixed-layout times and the field-by-field ones agree (nanoseconds in an
    /// Int64 reach the years 1677–2262 only, so the fixed layout serves every one).
    @Test func timesInOneCopyMatchFieldByField() {
        let edges: [Int64] = [0, -1, Int64.max, Int64.min, 1_700_000_000_123_456_789]
        var generator = SystemRandomNumberGenerator()
        let random = (0..<2_000).map { _ in Int64(bitPattern: generator.next()) >> 2 }
        for time in edges + random {
            for nanosecond in [false, true] {
                var fast: [UInt8] = [], reference: [UInt8] = []
                TimeFormat.appendRFC3339(time, nanosecondDigits: nanosecond, to: &fast)
                let (seconds, fraction) = TimeFormat.split(time)
                TimeFormat.appendRFC3339Digitwise(TimeFormat.civilFields(seconds), fraction: fraction,
                                                  nanosecondDigits: nanosecond, to: &reference)
                #expect(fast == reference, "\(time)")
            }
        }
    }

    /// Every key is held inline (no retain per key); a longer one is spelt from its
    /// declaration, the same bytes.
    @Test func keysHeldInline() {
        for field in Field.allCases {
            var inline: [UInt8] = [], spelt: [UInt8] = []
            JSONFieldWriter.keys[field.rawValue].append(of: field, to: &inline)
            JSONFieldWriter.KeyBytes(Array(repeating: 0, count: 64)).append(of: field, to: &spelt)
            #expect(inline == spelt)
            #expect(JSONFieldWriter.keys[field.rawValue].isInline, "\(field)")
        }
    }
}

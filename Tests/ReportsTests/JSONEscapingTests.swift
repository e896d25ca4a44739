import Classifier
import Dissectors
import Foundation
@testable import Inspection
@testable import Reports
import TestSupport
import Testing
import Schema

/// JSON strings as `JSONObject` writes them. Text from packets reaches the writer as
/// Swift strings, which always hold valid Unicode: bytes that are not UTF-8 were
/// already replaced by U+FFFD where the dissectors decoded them (most through
/// `ByteReader.printable`, which also writes control characters as `\xNN`). The writer
/// escapes what JSON requires, so every line is valid JSON whatever the packets held.
struct JSONEscapingTests {
    func quoted(_ value: String) -> String {
        var bytes: [UInt8] = []
        JSONObject.appendQuoted(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `{"v": value}` parsed back.
    func roundTrip(_ value: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String? {
        var object = JSONObject()
        object.add("v", value)
        let parsed = try parseStrictJSON(object.closedBytes, sourceLocation: sourceLocation)
        return (parsed as? [String: Any])?["v"] as? String
    }

    @Test func quotesAndBackslashesAreEscaped() {
        #expect(quoted("") == #""""#)
        #expect(quoted("plain text") == #""plain text""#)
        #expect(quoted(#"say "hi""#) == #""say \"hi\"""#)
        #expect(quoted(#"C:\captures\"x"#) == #""C:\\captures\\\"x""#)
        #expect(quoted(#"\\"#) == #""\\\\""#)
    }

    @Test func everyControlCharacterIsEscaped() throws {
        let hex = Array("0123456789abcdef")
        for byte in UInt8(0)..<0x20 {
            let escape: String = switch byte {
            case 0x0A: #"\n"#
            case 0x0D: #"\r"#
            case 0x09: #"\t"#
            default: #"\u00"# + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0x0F)])
            }
            let character = String(UnicodeScalar(byte))
            #expect(quoted(character) == "\"\(escape)\"", "byte \(byte)")
            // In the middle of text, after a long run the writer would copy in one go.
            let long = String(repeating: "a", count: 300)
            #expect(quoted(long + character + "z") == "\"\(long)\(escape)z\"", "byte \(byte)")
            #expect(try roundTrip("x" + character + "y") == "x" + character + "y", "byte \(byte)")
        }
    }

    @Test func deleteIsEscapedAndOtherTextIsCopied() throws {
        #expect(quoted("\u{7F}") == #""\u007f""#)
        #expect(try roundTrip("a\u{7F}b") == "a\u{7F}b")
        // Non-ASCII is written as UTF-8, unescaped: C1 controls, U+2028/2029, astral planes.
        // (A string made of a lone U+FEFF reads back empty: Foundation's parser drops it.)
        for text in ["é", "日本語", "\u{80}\u{9F}", "\u{2028}\u{2029}", "😀", "x\u{FEFF}y", "a/b</script>"] {
            #expect(quoted(text) == "\"\(text)\"", "\(text.unicodeScalars.map(\.value))")
            #expect(try roundTrip(text) == text, "\(text.unicodeScalars.map(\.value))")
        }
    }

    /// Invalid UTF-8 from a packet becomes U+FFFD where it is decoded: the JSON is valid.
    @Test func invalidUTF8FromPacketsIsReplacedNotCopied() throws {
        let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0xC3, 0x28, 0xED, 0xA0, 0x80, 0xF4, 0x90, 0x80, 0x80, 0xC0, 0xAF, 0xE2, 0x82]
        let decoded = String(decoding: bytes, as: UTF8.self)
        let json = quoted(decoded)
        #expect(!json.utf8.contains(0xFF) && !json.utf8.contains(0xC0))
        #expect(json.unicodeScalars.contains("\u{FFFD}"))
        #expect(try roundTrip(decoded) == decoded)

        // As the dissectors hand it over: printable text, control characters as \xNN.
        let printable = bytes.withUnsafeBytes { ByteReader.printable($0) }
        #expect(try roundTrip(printable) == printable)
        let mixed: [UInt8] = Array("Host:\u{0}\u{1B}[31m\r\nX\u{7F}".utf8) + [0xFE, 0x22, 0x5C]
        let text = mixed.withUnsafeBytes { ByteReader.printable($0) }
        #expect(text == "Host:\\x00\\x1b[31m\\x0d\\x0aX\\x7f\u{FFFD}\"\\")
        #expect(quoted(text) == #""Host:\\x00\\x1b[31m\\x0d\\x0aX\\x7f\#u{FFFD}\"\\""#)
        #expect(try roundTrip(text) == text)
    }

    /// Random strings of the characters that need care parse back to themselves.
    @Test func randomStringsRoundTrip() throws {
        let pool: [Unicode.Scalar] = (0..<0x80).map { Unicode.Scalar(UInt8($0)) }
            + ["\u{80}", "\u{9F}", "\u{A0}", "é", "\u{2028}", "\u{FFFD}", "\u{FFFF}", "😀", "\u{10FFFF}", "\u{301}"]
        var random = SplitMix64(seed: 0x4A50_4E)
        for _ in 0..<500 {
            var text = ""
            for _ in 0..<Int.random(in: 0...40, using: &random) {
                text.unicodeScalars.append(pool[Int.random(in: 0..<pool.count, using: &random)])
            }
            #expect(try roundTrip(text) == text)
        }
    }

    @Test func numbersAndKeys() throws {
        var object = JSONObject()
        object.add("min", Int64.min)
        object.add("max", UInt64.max)
        object.add("zero", 0)
        object.add("negative", -42)
        object.add("list", [Int32.min, -1, 0, Int32.max])
        object.add("flag", true)
        object.add(dynamic: "dynamic \"name\"\n", 1)
        object.add(dynamic: "nested", object: JSONObject())
        #expect(object.closed == #"{"min":-9223372036854775808,"max":18446744073709551615,"zero":0,"negative":-42,"list":[-2147483648,-1,0,2147483647],"flag":true,"dynamic \"name\"\n":1,"nested":{}}"#)
        let parsed = try #require(try parseStrictJSON(object.closedBytes) as? [String: Any])
        #expect(parsed["dynamic \"name\"\n"] as? Int == 1)
        #expect(parsed["negative"] as? Int == -42)
    }

    @Test func nestedObjectsAndListsOfStrings() throws {
        var object = JSONObject()
        object.addObject("outer") { outer in
            outer.add("s", "a\"b")
            outer.addObjects("items", ["x\n", "y\\"]) { value, item in item.add("v", value) }
            outer.add("strings", strings: ["\u{0}", "\u{7F}", ""])
        }
        object.addObjects("empty", [String]()) { _, _ in }
        #expect(object.closed == #"{"outer":{"s":"a\"b","items":[{"v":"x\n"},{"v":"y\\"}],"strings":["\u0000","\u007f",""]},"empty":[]}"#)
        _ = try parseStrictJSON(object.closedBytes)
    }

    /// A whole flow line whose strings hold everything that needs escaping is one
    /// valid JSON object on one line, and its values read back unchanged.
    @Test func flowLineWithHostileStringsIsOneValidLine() throws {
        let hostile = "q\"b\\s/\u{0}\u{1F}\u{7F}\n\r\t" + String(decoding: [0xFF, 0xC3], as: UTF8.self) + "\u{2028}é"
        var evidence = FlowEvidence()
        evidence.appProto = .tls
        var tls = TLSEvidence()
        tls.sni = hostile
        tls.alpn = [hostile, "h2"]
        tls.sawClientHello = true
        tls.certificates = [TLSCertificateEvidence(subject: "CN=" + hostile, issuer: hostile, san: [hostile], notBefore: "n", notAfter: "a",
                                                   serial: "01", sha256: "00", ja4x: nil)]
        evidence.tls = tls
        var http = HTTPEvidence()
        http.userAgent = hostile
        http.host = hostile
        evidence.http = http
        var classification = Classification()
        classification.platform = hostile
        classification.evidence = [EvidenceItem(field: "tls.sni", value: hostile, rule: hostile, crossFlow: hostile)]
        var flow = report(sourceFile: "/tmp/" + hostile + ".pcap", evidence: evidence)
        flow.classification = classification

        let bytes = JSONLinesWriter.lineBytes(for: flow)
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(JSONLinesWriter.line(for: flow) == String(decoding: bytes, as: UTF8.self))
        let object = try #require(try parseStrictJSON(Array(bytes.dropLast())) as? [String: Any])
        #expect(object["source_file"] as? String == "/tmp/" + hostile + ".pcap")
        let tlsObject = try #require(object["tls"] as? [String: Any])
        #expect(tlsObject["sni"] as? String == hostile)
        #expect(tlsObject["alpn"] as? [String] == [hostile, "h2"])
        let certificate = try #require((tlsObject["certificates"] as? [[String: Any]])?.first)
        #expect(certificate["subject"] as? String == "CN=" + hostile)
        #expect(certificate["san"] as? [String] == [hostile])
        #expect((object["http"] as? [String: Any])?["user_agent"] as? String == hostile)
        #expect(object["platform"] as? String == hostile)
        let item = try #require((object["evidence"] as? [[String: Any]])?.first)
        #expect(item["value"] as? String == hostile && item["rule"] as? String == hostile && item["cross_flow"] as? String == hostile)
    }

    @Test func flowLineTimesAndDurations() throws {
        let micro = try #require(try parseStrictJSON(Array(JSONLinesWriter.lineBytes(for: report()).dropLast())) as? [String: Any])
        #expect(micro["first_seen"] as? String == "2023-11-14T22:13:20.123456Z")
        #expect(micro["last_seen"] as? String == "2023-11-14T22:13:21.623456Z")
        let nano = String(decoding: JSONLinesWriter.lineBytes(for: report(nanosecond: true)), as: UTF8.self)
        #expect(nano.contains(#""first_seen":"2023-11-14T22:13:20.123456789Z","last_seen":"2023-11-14T22:13:21.623456789Z","duration":1.500000000,"#))
        let line = String(decoding: JSONLinesWriter.lineBytes(for: report()), as: UTF8.self)
        #expect(line.contains(#""duration":1.500000,"#))
    }
}

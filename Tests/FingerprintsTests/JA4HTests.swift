import Testing
import Dissectors
@testable import FingerprintsFoxIO

@Suite("JA4H")
struct JA4HTests {
    static func ja4h(_ bytes: [UInt8]) -> JA4H? {
        bytes.withUnsafeBytes { HTTPRequest.parse($0) }.map { JA4H(request: $0) }
    }

    static func ja4h(_ text: String) -> JA4H? { ja4h(Array(text.utf8)) }

    // FoxIO's http1-with-cookies.pcapng request (curl with Referer, two cookies and
    // Accept-Language); the values are FoxIO's JA4H / JA4H_r / JA4H_ro for it.
    static let cookies = "474554202f20485454502f312e310d0a486f73743a206c6f63616c686f73743a383030300d0a557365722d4167656e743a206375726c2f382e312e320d0a4163636570743a202a2f2a0d0a526566657265723a2068747470733a2f2f66616b652e6578616d706c650d0a436f6f6b69653a2079756d6d795f636f6f6b69653d63686f636f3b2074617374795f636f6f6b69653d737472617762657272790d0a4163636570742d4c616e67756167653a2064612c20656e2d47423b713d302e382c20656e3b713d302e370d0a0d0a"
    // Two requests from FoxIO's http1.pcapng with their JA4H and JA4H_r.
    static let get = "474554202f20485454502f312e310d0a486f73743a20332e3132392e37302e31350d0a557365722d4167656e743a204d6f7a696c6c612f352e302028636f6d70617469626c653b20496e7465726e65744d6561737572656d656e742f312e303b202b68747470733a2f2f696e7465726e65742d6d6561737572656d656e742e636f6d2f290d0a436f6e6e656374696f6e3a20636c6f73650d0a4163636570743a202a2f2a0d0a4163636570742d456e636f64696e673a20677a69700d0a0d0a"
    static let post = "504f5354202f72656d6f74652f6c6f67696e636865636b20485454502f312e310d0a486f73743a20332e3132392e37302e31350d0a4163636570743a202a2f2a0d0a4163636570742d456e636f64696e673a20677a69702c206465666c6174650d0a436f6e6e656374696f6e3a206b6565702d616c6976650d0a557365722d4167656e743a20707974686f6e2d68747470782f302e32372e320d0a436f6e74656e742d4c656e6774683a2034320d0a436f6e74656e742d547970653a206170706c69636174696f6e2f782d7777772d666f726d2d75726c656e636f6465640d0a0d0a"

    @Test func cookiesVector() throws {
        let value = try #require(Self.ja4h(hexBytes(Self.cookies)))
        #expect(value.fingerprint == "ge11cr04da00_8ddaef5d77af_280f366eaa04_c2fb0fe53442")
        #expect(value.raw == "ge11cr04da00_Host,User-Agent,Accept,Accept-Language_tasty_cookie,yummy_cookie_tasty_cookie=strawberry,yummy_cookie=choco")
        #expect(value.rawOriginal == "ge11cr04da00_Host,User-Agent,Accept,Accept-Language_yummy_cookie,tasty_cookie_yummy_cookie=choco,tasty_cookie=strawberry")
        #expect(value.original.hasPrefix("ge11cr04da00_8ddaef5d77af_"))
    }

    @Test func http1Vectors() throws {
        let get = try #require(Self.ja4h(hexBytes(Self.get)))
        #expect(get.fingerprint == "ge11nn050000_845398f9f2c0_000000000000_000000000000")
        #expect(get.raw == "ge11nn050000_Host,User-Agent,Connection,Accept,Accept-Encoding__")
        let post = try #require(Self.ja4h(hexBytes(Self.post)))
        #expect(post.fingerprint == "po11nn070000_429be317aafe_000000000000_000000000000")
        #expect(post.raw == "po11nn070000_Host,Accept,Accept-Encoding,Connection,User-Agent,Content-Length,Content-Type__")
    }

    @Test func emptyUserAgentVector() throws {
        // FoxIO http-empty-useragent.pcap: GET / HTTP/1.0 with an empty User-Agent.
        let value = try #require(Self.ja4h("GET / HTTP/1.0\r\nUser-Agent:\r\n\r\n"))
        #expect(value.fingerprint == "ge10nn010000_b8bcd45ac095_000000000000_000000000000")
    }

    @Test func connectAndLanguageRules() throws {
        // Spec pitfall 11: a CONNECT request gives co10nn01...; language rules from §7.
        let connect = try #require(Self.ja4h("CONNECT example.com:443 HTTP/1.0\r\nHost: example.com:443\r\n\r\n"))
        #expect(connect.fingerprint.hasPrefix("co10nn010000_"))
        #expect(JA4H.languageCode("en-US,en;q=0.9") == "enus")
        #expect(JA4H.languageCode("da, en-GB") == "da00")
        #expect(JA4H.languageCode("de;q=1") == "de00")
        #expect(JA4H.languageCode(nil) == "0000")
        let noHeaders = try #require(Self.ja4h("GET / HTTP/1.1\r\n\r\n"))
        #expect(noHeaders.fingerprint == "ge11nn000000_000000000000_000000000000_000000000000")
    }

    @Test func headerCountCapsAt99() throws {
        var text = "GET / HTTP/1.1\r\n"
        for index in 0..<100 { text += "X-\(index): v\r\n" }
        let value = try #require(Self.ja4h(text + "\r\n"))
        #expect(value.fingerprint.hasPrefix("ge11nn990000_"))
    }
}

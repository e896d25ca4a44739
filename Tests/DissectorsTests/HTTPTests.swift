import Testing
@testable import Dissectors

@Suite("HTTP")
struct HTTPTests {
    // KakaoTalk_chat.pcap (nDPI) frames 86 and 105: tcp.payload of a GET and its 204 answer.
    static let kakaoGet = "474554202f6d6f62696c652f7374617475732e70687020485454502f312e310d0a557365722d4167656e743a2044616c76696b2f312e362e3020284c696e75783b20553b20416e64726f696420342e342e343b204d49203357204d4955492f56362e342e332e302e4b58444d494342290d0a486f73743a207777772e66616365626f6f6b2e636f6d0d0a436f6e6e656374696f6e3a204b6565702d416c6976650d0a4163636570742d456e636f64696e673a20677a69700d0a0d0a"
    static let kakao204 = "485454502f312e3120323034204e6f20436f6e74656e740d0a43616368652d436f6e74726f6c3a20707269766174652c206e6f2d73746f72652c206e6f2d63616368652c206d7573742d726576616c69646174650d0a456467652d636f6e74726f6c3a2063616368652d6d61786167653d3238640d0a582d46422d44656275673a20337a366b65315575344873696e7648714e616b525251776d514e59414775674370576639624e42344f6f7a5252624d5a6b716149787a636a6e6b3739477573653250417378734334413551466779465435652b4157513d3d0d0a446174653a2053756e2c2032362041707220323031352031373a32333a353020474d540d0a436f6e6e656374696f6e3a206b6565702d616c6976650d0a0d0a"
    // wa_voice.pcap frame 197: SSDP M-SEARCH over UDP (HTTPU), ends with a stray NUL byte.
    static let ssdp = "4d2d534541524348202a20485454502f312e310d0a484f53543a203233392e3235352e3235352e3235303a313930300d0a4d414e3a2022737364703a646973636f766572220d0a4d583a20310d0a53543a2075726e3a6469616c2d6d756c746973637265656e2d6f72673a736572766963653a6469616c3a310d0a0d0a00"

    static func request(_ text: String) -> HTTPRequest? {
        Array(text.utf8).withUnsafeBytes { HTTPRequest.parse($0) }
    }

    @Test func realGetRequest() throws {
        let request = try #require(L7Fixture.bytes(Self.kakaoGet).withUnsafeBytes { HTTPRequest.parse($0) })
        #expect(request.method == "GET")
        #expect(request.target == "/mobile/status.php")
        #expect(request.version == "HTTP/1.1")
        #expect(request.headers.map(\.name) == ["User-Agent", "Host", "Connection", "Accept-Encoding"])
        #expect(request.host == "www.facebook.com")
        #expect(request.userAgent == "Dalvik/1.6.0 (Linux; U; Android 4.4.4; MI 3W MIUI/V6.4.3.0.KXDMICB)")
        #expect(!request.hasCookie && !request.hasReferer)
        #expect(request.acceptLanguage == nil)
        #expect(request.isHeadComplete)
        #expect(request.connectTarget == nil)
        #expect(L7Fixture.bytes(Self.kakaoGet).withUnsafeBytes { HTTPRequest.looksLikeRequest($0) })
    }

    @Test func realResponse() throws {
        let response = try #require(L7Fixture.bytes(Self.kakao204).withUnsafeBytes { HTTPResponse.parse($0) })
        #expect(response.statusCode == 204)
        #expect(response.reason == "No Content")
        #expect(response.version == "HTTP/1.1")
        #expect(response.headers.count == 5)
        #expect(response.header("connection") == "keep-alive")
        #expect(response.isHeadComplete)
        // A response is not a request and vice versa.
        #expect(L7Fixture.bytes(Self.kakao204).withUnsafeBytes { HTTPRequest.parse($0) } == nil)
        #expect(L7Fixture.bytes(Self.kakaoGet).withUnsafeBytes { HTTPResponse.parse($0) } == nil)
    }

    @Test func ssdpSearch() throws {
        let request = try #require(L7Fixture.bytes(Self.ssdp).withUnsafeBytes { HTTPRequest.parse($0) })
        #expect(request.method == "M-SEARCH")
        #expect(request.target == "*")
        #expect(request.host == "239.255.255.250:1900")   // "HOST" matched case-insensitively
        #expect(request.headers.first?.name == "HOST")
    }

    @Test func connectAndCookies() throws {
        let request = try #require(Self.request(
            "CONNECT chat.signal.org:443 HTTP/1.1\r\nHost: chat.signal.org:443\r\nCookie: a=1\r\nReferer: x\r\nAccept-Language: en-US,en;q=0.9\r\n\r\n"))
        #expect(request.connectTarget == "chat.signal.org:443")
        #expect(request.hasCookie && request.hasReferer)
        #expect(request.acceptLanguage == "en-US,en;q=0.9")
    }

    @Test func partialHeadAndFolding() throws {
        // Bare LF line ends, an obs-fold continuation line, and a head cut mid-header.
        let request = try #require(Self.request("GET / HTTP/1.0\nX-Long: a\n\tb\nHost: h\nUser-Ag"))
        #expect(request.headers == [HTTPHeaderField(name: "X-Long", value: "a b"), HTTPHeaderField(name: "Host", value: "h")])
        #expect(!request.isHeadComplete)
        // Control characters in values are escaped.
        let escaped = try #require(Self.request("GET / HTTP/1.1\r\nX: a\u{1}b\r\n\r\n"))
        #expect(escaped.header("x") == "a\\x01b")
    }

    @Test func notHTTP() {
        for text in ["", "GET", "GET /", "GET / HTTP/1.1", "get / HTTP/1.1\r\n", "GET  / HTTP/1.1\r\n",
                     "GET / HTTP/x.1\r\n", "SSH-2.0-OpenSSH_9.2\r\n", "\u{16}\u{3}\u{1}\u{2}\u{0}\r\n"] {
            #expect(Self.request(text) == nil, "\(text)")
        }
        #expect(Array("HTTP/1.1 99 Nope\r\n".utf8).withUnsafeBytes { HTTPResponse.parse($0) } == nil)
        #expect(!Array("HELLO world".utf8).withUnsafeBytes { HTTPRequest.looksLikeRequest($0) })
    }

    @Test func bounds() throws {
        var text = "GET / HTTP/1.1\r\n"
        for index in 0..<150 { text += "X-\(index): v\r\n" }
        text += "\r\n"
        let request = try #require(Self.request(text))
        #expect(request.headers.count == HTTPHead.maxHeaders)
        #expect(request.hasMoreHeaders)
        #expect(request.isHeadComplete)
        // A head longer than 16 KiB is cut: incomplete, but what fits is kept.
        let long = "GET / HTTP/1.1\r\nA: " + String(repeating: "x", count: 20_000) + "\r\nB: y\r\n\r\n"
        let cut = try #require(Self.request(long))
        #expect(cut.headers.isEmpty && !cut.isHeadComplete)
    }

    @Test func mutationsNeverCrash() {
        for hex in [Self.kakaoGet, Self.kakao204, Self.ssdp] {
            L7Fixture.stress(L7Fixture.bytes(hex), mutations: 3000) { bytes in
                if let request = HTTPRequest.parse(bytes) {
                    #expect(request.headers.count <= HTTPHead.maxHeaders)
                }
                _ = HTTPResponse.parse(bytes)
                _ = HTTPRequest.looksLikeRequest(bytes)
            }
        }
    }
}

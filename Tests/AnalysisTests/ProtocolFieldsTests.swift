import Foundation
import Testing
import Inspection
import Reports

/// DNS and HTTP fields on `lab-fields.pcap` (`Captures/make-fields-capture.sh`: dig,
/// curl, nc, nghttpd and Python on loopback). Expected values are tshark's:
/// `tshark -Y dns`, `-Y http`, `-d tcp.port==8083,http2 -Y http2.type==1`.
struct ProtocolFieldsTests {
    static let reports = analyze([Paths.captures.appendingPathComponent("lab-fields.pcap").path]).reports

    func flows(port: UInt16) -> [FlowReport] { Self.reports.filter { $0.summary.serverPort == port } }

    /// 300 distinct names from one socket: 64 kept, the other 236 counted, all 300 queries counted.
    @Test func dnsTunnelBurstIsBoundedAndCounted() throws {
        let flow = try #require(flows(port: 5353).first { $0.summary.proto == 17 })
        let dns = try #require(flow.evidence?.dns)
        #expect(dns.queries.count == 64)
        #expect(dns.queryCount == 300)
        #expect(dns.queriesDropped == 236)
        #expect(dns.queries.first?.name == "5eed00000000.t.tunnel.test")
        #expect(dns.queries.first?.type == "TXT")
    }

    /// dig +tcp on 5353 and on 8053 (no port table knows it): DNS by content, query and answer.
    @Test(arguments: [(UInt16(5353), "tcp-5353.example.test"), (UInt16(8053), "tcp-8053.example.test")])
    func dnsOverTCPOnAnyPort(_ port: UInt16, _ name: String) throws {
        let flow = try #require(flows(port: port).first { $0.summary.proto == 6 })
        #expect(flow.evidence?.appProto == .dns)
        let dns = try #require(flow.evidence?.dns)
        #expect(dns.queries.map(\.name) == [name])
        #expect(dns.queryCount == 1)
        #expect(dns.answers.first?.data == "127.0.0.1")
    }

    /// curl with three URLs on one keep-alive connection: every request, the first request's keys unchanged.
    @Test func keepAliveGivesEveryRequest() throws {
        let http = try #require(flows(port: 8080).compactMap(\.evidence?.http).first { $0.requestCount == 3 })
        #expect(http.requests.map(\.uri) == ["/one", "/two?x=2", "/three"])
        #expect(http.requests.allSatisfy { $0.userAgent == "fields-capture/1.0" && $0.host == "127.0.0.1:8080" })
        #expect(http.method == "GET")
        #expect(http.host == "127.0.0.1:8080")
        #expect(http.userAgent == "fields-capture/1.0")
        #expect(http.ja4h == ["ge11nn030000_fe444ad14866_000000000000_000000000000"])
    }

    /// `GET / HTTP/1.0` and an empty line: a request, with a JA4H of no headers.
    @Test func requestWithoutHeaders() throws {
        let http = try #require(flows(port: 8080).compactMap(\.evidence?.http).first { $0.requestCount == 1 })
        #expect(http.method == "GET")
        #expect(http.host == nil)
        #expect(http.requests.first?.version == "HTTP/1.0")
        #expect(http.ja4h == ["ge10nn000000_000000000000_000000000000_000000000000"])
    }

    /// h2c with prior knowledge: HEADERS decoded with HPACK (the second block refers to the
    /// dynamic table); JA4H without pseudo-headers, cookie crumbs from separate fields.
    @Test func h2cPriorKnowledge() throws {
        let http = try #require(flows(port: 8083).compactMap(\.evidence?.http).first { $0.requests.first?.version == "HTTP/2" })
        #expect(http.requests.map(\.uri) == ["/prior-one", "/prior-two"])
        #expect(http.host == "127.0.0.1:8083")
        #expect(http.userAgent == "fields-h2/1.0")
        // a: ge 20 c n 02 da00; b: "user-agent,accept-language"; c: "a,b"; d: "a=1,b=2".
        #expect(http.ja4h == ["ge20cn02da00_d2dd72bda90a_1eb7c54d5283_06beefe2b477"])
        let curl = try #require(flows(port: 8081).first?.evidence?.http)
        #expect(curl.requests.first?.version == "HTTP/2")
        #expect(curl.host == "127.0.0.1:8081")
        #expect(curl.userAgent == "curl/7.88.1")
    }

    /// curl --http2 on http://: the HTTP/1.1 request asking for the upgrade, then the preface.
    @Test func h2cUpgrade() throws {
        let http = try #require(flows(port: 8083).compactMap(\.evidence?.http).first { $0.requests.first?.version == "HTTP/1.1" })
        #expect(http.requests.map(\.uri) == ["/upgrade-one"])
        #expect(http.userAgent == "curl/7.88.1")
    }

    /// DNS over HTTP in clear: the POST body and the GET parameter are DNS queries.
    @Test func dnsOverHTTPInClear() throws {
        let names = flows(port: 8082).compactMap { $0.evidence?.dns?.queries.first?.name }.sorted()
        #expect(names == ["doh-get.example.test", "doh-post.example.test"])
    }
}

import Foundation
import Testing
@testable import Dissectors

/// HTTP/2 in clear and DNS over HTTP. The fixture is the client stream of the h2c
/// prior-knowledge flow in Captures/lab-fields.pcap (python h2 client), from
///   tshark -r lab-fields.pcap -Y "tcp.dstport==8083 && tcp.len>0" -T fields -e tcp.payload
/// tshark (-d tcp.port==8083,http2) decodes its two HEADERS as GET /prior-one and GET /prior-two.
struct HTTP2Tests {
    static let priorKnowledge = L7Fixture.bytes("505249202a20485454502f322e300d0a0d0a534d0d0a0d0a00002a04000000000000010000100000020000000100040000ffff00050000400000080000000000030000006400060001000000003601050000000182448762bb0c7b163d4586418a089d5c0b8170dc780f337a8994c5a2442d38980ae05187907f4a16a5b15d1f11838e017f1f11821c0100000004010000000000001a01050000000382448862bb0c7b164f83ff86c1c0bf1f11838e017f1f11821c010000080700000000000000000000000000")

    func requests(_ bytes: [UInt8]) -> (requests: [HTTPRequest], stopped: Bool) {
        bytes.withUnsafeBytes { raw in
            guard HTTP2.matchPreface(raw) == .complete else { return ([], true) }
            var reader = HTTP2RequestReader()
            var offset = HTTP2.preface.count
            let requests = reader.read(raw, from: &offset)
            return (requests, reader.stopped)
        }
    }

    @Test func decodesBothHeaderBlocks() {
        let (requests, stopped) = requests(Self.priorKnowledge)
        #expect(!stopped)
        #expect(requests.map(\.target) == ["/prior-one", "/prior-two"])
        #expect(requests.allSatisfy { $0.method == "GET" && $0.version == "HTTP/2" && $0.host == "127.0.0.1:8083" })
        #expect(requests.last?.userAgent == "fields-h2/1.0")
        #expect(requests.last?.headers.filter { $0.name == "cookie" }.map(\.value) == ["b=2", "a=1"])
    }

    /// Split anywhere, the frames read so far give no request that the whole does not.
    @Test func everyPrefixWaitsForWholeFrames() {
        for length in 0...Self.priorKnowledge.count {
            let (requests, _) = requests(Array(Self.priorKnowledge.prefix(length)))
            #expect(requests.count <= 2)
        }
    }

    /// Mutated and truncated streams never crash; a bad frame or block stops the reader.
    @Test func hostileStreamsDoNotCrash() {
        L7Fixture.stress(Self.priorKnowledge) { raw in
            var reader = HTTP2RequestReader()
            var offset = min(raw.count, HTTP2.preface.count)
            _ = reader.read(raw, from: &offset)
            #expect(offset <= raw.count)
        }
    }

    /// A header block larger than the bound (CONTINUATION flood) stops the reader.
    @Test func continuationFloodIsBounded() {
        var stream = HTTP2.preface
        stream += [0, 0, 1, 0x1, 0, 0, 0, 0, 1, 0x82]  // HEADERS, no END_HEADERS, :method GET
        for _ in 0..<40 { stream += [0, 0x04, 0, 0x9, 0, 0, 0, 0, 1] + [UInt8](repeating: 0x82, count: 1024) }
        let (requests, stopped) = requests(stream)
        #expect(requests.isEmpty)
        #expect(stopped)
    }

    @Test func dohGETParameterDecodes() throws {
        let request = HTTPRequest(method: "GET", target: "/dns-query?dns=AAABAAABAAAAAAAAB2RvaC1nZXQHZXhhbXBsZQR0ZXN0AAABAAE",
                                  version: "HTTP/1.1", headers: [], isHeadComplete: true, hasMoreHeaders: false)
        let query = try #require(DNSOverHTTP.query(in: request, body: nil))
        #expect(query.questions.first?.name == "doh-get.example.test")
        #expect(DNSOverHTTP.base64URLDecoded("A") == nil)
        #expect(DNSOverHTTP.base64URLDecoded("AA*A") == nil)
        let plain = HTTPRequest(method: "GET", target: "/?dns=notdns", version: "HTTP/1.1", headers: [],
                                isHeadComplete: true, hasMoreHeaders: false)
        #expect(DNSOverHTTP.query(in: plain, body: nil) == nil)
    }
}

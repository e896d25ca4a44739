import Foundation
import Testing
@testable import Dissectors

// Fixtures are UDP/TCP payloads extracted with
//   tshark -r <capture> -T fields -e udp.payload   (or -e tcp.payload)
// and the expected values are tshark's dns.* fields for the same frames.

/// Test helpers shared by the L7 dissector tests (named to avoid clashes with other suites).
enum L7Fixture {
    static func bytes(_ hex: String) -> [UInt8] { hexBytes(hex) }


    /// Runs `body` on every prefix of `bytes` and on `count` deterministic mutations
    /// (1–4 bytes overwritten, sometimes also truncated); the body must simply not crash.
    static func stress(_ bytes: [UInt8], mutations count: Int = 3000, seed: UInt64 = 0x5EED, _ body: (UnsafeRawBufferPointer) -> Void) {
        for length in 0...bytes.count {
            bytes.prefix(length).withUnsafeBytes { body($0) }
        }
        var rng = SplitMix64(seed: seed)
        for _ in 0..<count {
            var mutated = bytes
            guard !mutated.isEmpty else { break }
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let position = Int(rng.next() % UInt64(mutated.count))
                mutated[position] = UInt8(truncatingIfNeeded: rng.next())
            }
            if rng.next() % 8 == 0 {
                mutated = Array(mutated.prefix(Int(rng.next() % UInt64(mutated.count + 1))))
            }
            mutated.withUnsafeBytes { body($0) }
        }
    }

}

private extension UInt8 {
    var isWhitespace: Bool { self == 0x20 || self == 0x0A || self == 0x09 || self == 0x0D }
}

private func parseDNS(_ hex: String) -> DNSMessage? {
    L7Fixture.bytes(hex).withUnsafeBytes { DNSMessage.parse($0) }
}

@Suite("DNS")
struct DNSTests {
    // lab-basic.pcap frames 41-44: dig A / AAAA chat.signal.org on udp/5353.
    static let labAQuery = "fac2012000010000000000010463686174067369676e616c036f7267000001000100002904d000000000000c000a0008191ab6f92899dc88"
    static let labAAnswer = "fac2850000010001000000000463686174067369676e616c036f72670000010001c00c000100010000012c00047f00000a"
    static let labAAAAAnswer = "5026850000010001000000000463686174067369676e616c036f726700001c0001c00c001c00010000012c001020010db8000000000000000000000010"
    // dns.pcap frame 5: e7.whatsapp.net, 8 A records.
    static let whatsapp = "784381800001000800000000026537087768617473617070036e65740000010001c00c00010001000001eb0004a92ddbebc00c00010001000001eb0004a92f288ec00c00010001000001eb0004a92df879c00c00010001000001eb00046ca8b0eac00c00010001000001eb0004a92df8bdc00c00010001000001eb0004a92df8b4c00c00010001000001eb0004a935514fc00c00010001000001eb0004a92ddbe8"
    // dns_long_domainname.pcap frame 2: NXDOMAIN with SOA in the authority section.
    static let longName = "8b548183000100000001000006676d7230326302313601300c66686b666873646b6668736b0674756e6e656c076578616d706c6503636f6d0000010001c02c00060001000005c3002c026e73056963616e6e036f726700036e6f6303646e73c04c7867fabe00001c2000000e100012750000000e10"
    // dns_ambiguous_names.pcap frame 6: CNAME chain with compressed targets, then OPT.
    static let cnameChain = "dbbb8180000100040000000103617069057465616d7305736b79706503636f6d0000010001c00c0005000100000c93001e097465616d732d6166640e747261666669636d616e61676572036e657400c03100050001000000ec002f1c7465616d732d6166642d747261666669636d616e616765722d6e657406732d3030303408732d6d7365646765c04ac05b000500010000008d0002c078c078000100010000008d00043471c2830000290200000000000000"
    // dns_fragmented.pcap frame 14 (reassembled UDP): DNSSEC NODATA, SOA + RRSIG + NSEC3 + RRSIG, OPT with DO.
    static let dnssec = "a43884100001000000040001036667320877656265726c616202646500001c0001c010000600010000003c003c036e7330087765626572646e73c019097765626d61737465720977656265726e65747a036e657400785848e900000e10000003840024ea000000003cc010002e00010000003c011f00060a020000003c5d122a205cea8f1090470877656265726c616202646500b00b0b39163d4faf36e75cdc5d7ad760cb9b6a975796755975ccd267c563412de0d1d4ad95b5cd53145fe05242a597af808764cfe3b36af53863713208a7f9ab1c3b1a212596dfa1ce78e2f39fa39706eac5aec11ee56b35fe18c6c6c8af491a49b966b489fc7b5daf310020408cce78ae152867b2fb7ac57edc760aceefd26c3857445dfa04d8b6d7eaf8f2ef1aef2f49989b5c5c6a963f3a555cd3c2f3821268ea28dca3a27fbf763306fcba73597a13d9ebe9f65f0ad5570953ff2e518f59138592d168d5e2eb8f28aaa61de4e47ad8471b5c6c2e9d2328540ff2461f624765c4306e36ee8a86ead5c4ee1188cf762badef31d9885bfe158cc626d9c3cf4020564e523553484a463547435445435448374c3045434b4c4a314e4446344d384bc08700320001000000b400320100001410338955d97608c0b1347b0567c392b5f8140040134b27cf4f6eddd64896565c583e7a8d69930006400000000002c194002e0001000000b4011f00320a03000000b45d0a11035ce27bdc90470877656265726c6162026465005c1680c8048eb03539c1c1f90a3975698c8b1d5b27b5851ac40890f993945fca56f2ba939755538143099b4a3ee3d80a48345cb04e711ff082e394baec812fb71b8d4a0dd141c9babdf878d7962e78290616b11539aea98f34bca8de774b6d150eae567776380983cd1a7a63162d4e29f8fd71a554eea532dfa4da661fb70472af93a18e9e8d1fe27c75b8d7ee0903dc4346007b2954b493cf82f1ae1507f1db1b14af2b4ff914865081bd3b89600c4e912116aa9e2f559e783d7718eb5a67e4a013f26256770f872ec6bf9548d935789c126932f7d5c394f2dc264ece23764cf374183e0600144fe53076d34a28ae7b6ad2e1d794c16c459a7418961bf4140e000029100000008000000f0008000b00023800200104701f0b16"
    // Hand-built (tshark decodes it as noted in the test): HTTPS, SVCB, MX, SRV, TXT.
    static let serviceRecords = "123481800001000500000000076578616d706c6503636f6d0000410001c00c004100010000012c0041000100000100060268330268320003000201bb00040008c0000201c00002020005000a000102030405060708090006001020010db8000000000000000000000001c00c004000010000003c0013000003737663076578616d706c65036e657400c00c000f00010000003c0004000ac00cc00c002100010000003c00170001000513c403736970076578616d706c6503636f6d00c00c001000010000003c000d07763d7370663120042d616c6c"
    // dns_fragmented.pcap frames 48 and 60: DNS over TCP, DNSKEY queries with length prefix.
    static let tcpQuery1 = "003480e4012000010000000000010877656265726c61620264650000300001000029100000008000000c000a00081b9af622ab2c9740"
    static let tcpQuery2 = "003406da012000010000000000010877656265726c61620264650000300001000029100000008000000c000a0008c6ab1a7fa365f223"

    @Test func labQueryWithEDNS() throws {
        let message = try #require(parseDNS(Self.labAQuery))
        #expect(message.id == 0xFAC2)
        #expect(!message.isResponse)
        #expect(message.opcodeName == "QUERY")
        #expect(message.recursionDesired)
        #expect(message.authenticData)
        #expect(message.questions == [DNSQuestion(name: "chat.signal.org", type: .a, recordClass: 1)])
        #expect(message.answers.isEmpty)
        #expect(message.additionals.count == 1)
        #expect(message.additionals.first?.type == .opt)
        #expect(message.additionals.first?.data == "udp=1232 version=0 options=COOKIE")
        #expect(message.isComplete)
    }

    @Test func labAnswers() throws {
        let a = try #require(parseDNS(Self.labAAnswer))
        #expect(a.isResponse && a.isAuthoritative && a.recursionDesired)
        #expect(a.rcodeName == "NOERROR")
        #expect(a.answers.count == 1)
        let record = try #require(a.answers.first)
        #expect(record.name == "chat.signal.org")
        #expect(record.type.name == "A")
        #expect(record.ttl == 300)
        #expect(record.data == "127.0.0.10")
        #expect(record.addresses.map(\.description) == ["127.0.0.10"])

        let aaaa = try #require(parseDNS(Self.labAAAAAnswer))
        #expect(aaaa.questions.first?.type == .aaaa)
        #expect(aaaa.answers.first?.data == "2001:db8::10")
    }

    @Test func manyAddressRecords() throws {
        let message = try #require(parseDNS(Self.whatsapp))
        #expect(message.questions.first?.name == "e7.whatsapp.net")
        #expect(message.answers.map(\.data) == [
            "169.45.219.235", "169.47.40.142", "169.45.248.121", "108.168.176.234",
            "169.45.248.189", "169.45.248.180", "169.53.81.79", "169.45.219.232",
        ])
        #expect(message.answers.allSatisfy { $0.ttl == 491 && $0.name == "e7.whatsapp.net" })
    }

    @Test func nxdomainWithSOA() throws {
        let message = try #require(parseDNS(Self.longName))
        #expect(message.rcodeName == "NXDOMAIN")
        #expect(message.questions.first?.name == "gmr02c.16.0.fhkfhsdkfhsk.tunnel.example.com")
        let soa = try #require(message.authorities.first)
        #expect(soa.type == .soa)
        #expect(soa.name == "example.com")
        #expect(soa.ttl == 1475)
        #expect(soa.data == "ns.icann.org noc.dns.icann.org 2020080318 7200 3600 1209600 3600")
    }

    @Test func cnameChainWithCompression() throws {
        let message = try #require(parseDNS(Self.cnameChain))
        #expect(message.answers.map(\.name) == [
            "api.teams.skype.com", "teams-afd.trafficmanager.net",
            "teams-afd-trafficmanager-net.s-0004.s-msedge.net", "s-0004.s-msedge.net",
        ])
        #expect(message.answers.map(\.type.name) == ["CNAME", "CNAME", "CNAME", "A"])
        #expect(message.answers.compactMap(\.target) == [
            "teams-afd.trafficmanager.net", "teams-afd-trafficmanager-net.s-0004.s-msedge.net", "s-0004.s-msedge.net",
        ])
        #expect(message.answers.last?.data == "52.113.194.131")
        #expect(message.answers.map(\.ttl) == [3219, 236, 141, 141])
        #expect(message.additionals.first?.name == ".")
        #expect(message.additionals.first?.data == "udp=512 version=0")
    }

    @Test func dnssecAuthoritySection() throws {
        let message = try #require(parseDNS(Self.dnssec))
        #expect(message.isComplete)
        #expect(message.authorities.map(\.type.name) == ["SOA", "RRSIG", "NSEC3", "RRSIG"])
        #expect(message.authorities.map(\.name) == [
            "weberlab.de", "weberlab.de", "VNR5SHJF5GCTECTH7L0ECKLJ1NDF4M8K.weberlab.de", "VNR5SHJF5GCTECTH7L0ECKLJ1NDF4M8K.weberlab.de",
        ])
        #expect(message.authorities.first?.data.hasPrefix("ns0.weberdns.de ") == true)
        #expect(message.authorities[1].data.hasPrefix("\\# 287 00060a02"))
        #expect(message.additionals.first?.data == "udp=4096 version=0 do options=ECS")
    }

    @Test func serviceBindingAndFriends() throws {
        let message = try #require(parseDNS(Self.serviceRecords))
        #expect(message.questions.first?.type.name == "HTTPS")
        let data = message.answers.map(\.data)
        #expect(data == [
            "1 . alpn=h3,h2 port=443 ipv4hint=192.0.2.1,192.0.2.2 ech ipv6hint=2001:db8::1",
            "0 svc.example.net",
            "10 example.com",
            "1 5 5060 sip.example.com",
            "v=spf1 -all",
        ])
        #expect(message.answers.first?.addresses.map(\.description) == ["192.0.2.1", "192.0.2.2", "2001:db8::1"])
        #expect(message.answers.first?.target == ".")
        #expect(message.answers.map(\.type.name) == ["HTTPS", "SVCB", "MX", "SRV", "TXT"])
    }

    @Test func dnsOverTCP() throws {
        // Two complete messages and the first half of a third.
        let third = String(Self.tcpQuery1.prefix(40))
        let stream = L7Fixture.bytes(Self.tcpQuery1 + Self.tcpQuery2 + third)
        let messages = stream.withUnsafeBytes { DNSMessage.parseTCP($0) }
        #expect(messages.map(\.id) == [0x80E4, 0x06DA])
        #expect(messages.allSatisfy { $0.questions.first == DNSQuestion(name: "weberlab.de", type: DNSRecordType(rawValue: 48), recordClass: 1) })
        #expect(messages.first?.questions.first?.type.name == "DNSKEY")
    }

    @Test func looksLikeDNS() {
        for hex in [Self.labAQuery, Self.labAAnswer, Self.whatsapp, Self.dnssec, Self.serviceRecords] {
            #expect(L7Fixture.bytes(hex).withUnsafeBytes { DNSMessage.looksLikeDNS($0) })
        }
        let notDNS: [[UInt8]] = [
            Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
            Array("SSH-2.0-OpenSSH_9.2p1\r\n".utf8),
            [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03, 0x00],
            [],
        ]
        for bytes in notDNS {
            #expect(!bytes.withUnsafeBytes { DNSMessage.looksLikeDNS($0) })
        }
    }

    @Test func nameEscaping() throws {
        // A label holding '.', a space and 0xFF: presentation form escapes them.
        var bytes = L7Fixture.bytes("000100000001000000000000")
        bytes += [5, 0x61, 0x2E, 0x20, 0xFF, 0x5C, 3] + Array("com".utf8) + [0, 0, 1, 0, 1]
        let message = try #require(bytes.withUnsafeBytes { DNSMessage.parse($0) })
        #expect(message.questions.first?.name == "a\\.\\032\\255\\\\.com")
    }

    // MARK: robustness

    @Test func compressionPointerLoop() {
        // Question name is a pointer to itself (offset 12).
        let selfLoop = L7Fixture.bytes("000001000001000000000000c00c00010001")
        #expect(selfLoop.withUnsafeBytes { DNSMessage.parse($0) } == nil)
        // Two names pointing at each other: the answer's name points forward to the
        // second record, which points back. Forward pointers are refused.
        let mutual = L7Fixture.bytes("000081800000000200000000" + "c018000100010000000000047f000001" + "c00c000100010000000000047f000001")
        let message = mutual.withUnsafeBytes { DNSMessage.parse($0) }
        #expect(message?.answers.isEmpty == true)
        #expect(message?.isComplete == false)
        // A label followed by a pointer back to itself: "a" then -> offset 12 -> "a" ...
        let labelLoop = L7Fixture.bytes("0000010000010000000000000161c00c00010001")
        #expect(labelLoop.withUnsafeBytes { DNSMessage.parse($0) } == nil)
    }

    @Test func outOfRangePointerAndBadLabels() {
        let outOfRange = L7Fixture.bytes("000001000001000000000000c0ff00010001")
        #expect(outOfRange.withUnsafeBytes { DNSMessage.parse($0) } == nil)
        // Label type bits 01 and 10 are not valid.
        for lead in ["40", "80"] {
            let bytes = L7Fixture.bytes("000001000001000000000000" + lead + "61610000010001")
            #expect(bytes.withUnsafeBytes { DNSMessage.parse($0) } == nil)
        }
        // A name longer than 255 bytes: 5 labels of 63.
        var long = L7Fixture.bytes("000001000001000000000000")
        for _ in 0..<5 { long += [63] + Array(repeating: 0x61, count: 63) }
        long += [0, 0, 1, 0, 1]
        #expect(long.withUnsafeBytes { DNSMessage.parse($0) } == nil)
        // A header promising 65535 questions over 6 bytes.
        let counts = L7Fixture.bytes("0000010" + "0ffff000000000000" + "000001000100")
        #expect(counts.withUnsafeBytes { DNSMessage.parse($0) } == nil)
    }

    @Test func longChainOfBackwardPointersIsBounded() throws {
        // Questions whose names are "x" + a pointer to the previous question's name:
        // valid compression, each name one label longer than the one before.
        func message(questions: Int) -> [UInt8] {
            var bytes: [UInt8] = [0, 0, 1, 0, UInt8(questions >> 8), UInt8(questions & 0xFF), 0, 0, 0, 0, 0, 0]
            var previous = -1
            for _ in 0..<questions {
                let offset = bytes.count
                bytes += [1, 0x78]
                bytes += previous >= 0 ? [0xC0 | UInt8(previous >> 8), UInt8(previous & 0xFF)] : [0]
                bytes += [0, 1, 0, 1]
                previous = offset
            }
            return bytes
        }
        let hundred = try #require(message(questions: 100).withUnsafeBytes { DNSMessage.parse($0) })
        #expect(hundred.questions.count == 64)   // maxQuestions kept
        // 127 labels of 1 byte make a 255-byte name; 128 do not fit.
        let fits = try #require(message(questions: 127).withUnsafeBytes { DNSMessage.parse($0) })
        #expect(fits.questionCount == 127)
        #expect(message(questions: 128).withUnsafeBytes { DNSMessage.parse($0) } == nil)
    }

    @Test func mutationsNeverCrash() {
        for hex in [Self.labAQuery, Self.cnameChain, Self.longName, Self.serviceRecords, Self.dnssec] {
            L7Fixture.stress(L7Fixture.bytes(hex), mutations: 2000) { bytes in
                if let message = DNSMessage.parse(bytes) {
                    #expect(message.answers.count <= DNSMessage.maxRecordsPerSection)
                    for record in message.answers + message.authorities + message.additionals {
                        #expect(record.name.utf8.count <= 4 * 255)
                    }
                }
                _ = DNSMessage.looksLikeDNS(bytes)
                _ = DNSMessage.parseTCP(bytes)
            }
        }
    }

    /// tshark prints label bytes raw (read here as UTF-8, so high bytes become U+FFFD)
    /// where the dissector writes \DDD.
    func tsharkStyle(_ name: String) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(name.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "\\"), let next = utf8.first {
                if (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(next), utf8.count >= 3,
                   let value = UInt8(String(decoding: utf8.prefix(3), as: UTF8.self)) {
                    bytes.append(value)
                    utf8 = utf8.dropFirst(3)
                } else {
                    bytes.append(next)
                    utf8 = utf8.dropFirst()
                }
            } else {
                bytes.append(byte)
            }
        }
        return collapsingReplacements(String(decoding: bytes, as: UTF8.self))
    }

    /// Invalid UTF-8 becomes U+FFFD under slightly different rules in tshark and Swift;
    /// runs of replacement characters are compared as one.
    func collapsingReplacements(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars where !(scalar == "\u{FFFD}" && out.last == "\u{FFFD}") {
            out.append(scalar)
        }
        return String(out)
    }

    /// Optional cross-check against tshark over whole captures. Generate the table with
    ///   for f in dns dns_fragmented dns_long_domainname dns_ambiguous_names; do
    ///     tshark -r /work/shared/captures/ndpi/$f.pcap -Y 'dns && udp' -T fields -E occurrence=a \
    ///       -e udp.payload -e dns.qry.name -e dns.resp.name -e dns.a -e dns.aaaa -e dns.cname
    ///   done > /tmp/dns-crosscheck.tsv
    /// and run with CIPHERSCOPE_DNS_CROSSCHECK=/tmp/dns-crosscheck.tsv.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["CIPHERSCOPE_DNS_CROSSCHECK"] != nil))
    func crossCheckWithTshark() throws {
        let path = try #require(ProcessInfo.processInfo.environment["CIPHERSCOPE_DNS_CROSSCHECK"])
        let table = try String(contentsOfFile: path, encoding: .utf8)
        var checked = 0
        var agreed = 0
        for line in table.split(separator: "\n") {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard columns.count >= 6, !columns[0].isEmpty else { continue }
            checked += 1
            guard let message = parseDNS(columns[0]) else {
                Issue.record("did not parse: \(columns[1])")
                continue
            }
            func list(_ text: String) -> [String] { text.isEmpty ? [] : text.split(separator: ",").map { collapsingReplacements(String($0)) } }
            let records = message.answers + message.authorities + message.additionals
            let names = records.map { $0.name == "." ? "<Root>" : tsharkStyle($0.name) }
            let a = records.filter { $0.type == .a }.map(\.data)
            let aaaa = records.filter { $0.type == .aaaa }.map(\.data)
            let cname = records.filter { $0.type == .cname }.map(\.data)
            let ok = message.questions.map { tsharkStyle($0.name) } == list(columns[1]) && names == list(columns[2])
                && a == list(columns[3]) && aaaa == list(columns[4]) && cname == list(columns[5])
            if ok { agreed += 1 } else { Issue.record("differs from tshark: \(columns[1...].joined(separator: " | ")) vs \(message.questions.map { tsharkStyle($0.name) }) \(names)") }
        }
        print("DNS cross-check: \(agreed)/\(checked) messages agree with tshark")
        #expect(checked > 0 && agreed == checked)
    }
}

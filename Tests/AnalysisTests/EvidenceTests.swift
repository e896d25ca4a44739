import Foundation
import Testing
import Inspection
import Reports
import Schema

/// Evidence from the lab captures (real stacks on loopback; values checked against
/// tshark and the JA4 spec when the captures were made).
struct EvidenceTests {
    func flows(_ name: String) -> [FlowReport] {
        analyze([Paths.captures.appendingPathComponent(name).path]).reports
    }

    @Test func tlsHandshakesOverTCP() throws {
        let reports = flows("lab-basic.pcap")
        let tls13 = try #require(reports.first { $0.summary.serverPort == 8443 }?.evidence?.tls)
        #expect(tls13.sni == "chat.signal.org")
        #expect(tls13.version == "1.3")
        #expect(tls13.ja3 == "f146948b4a599d4d7ddf071b74696983")   // tshark tls.handshake.ja3
        #expect(tls13.ja3s == "15af977ce25de452b96affa2addb1036")  // tshark tls.handshake.ja3s
        #expect(tls13.ja4 == "t13d041000_16476d049b0b_78f1d400d464")
        #expect(tls13.cipher == "1302")
        #expect(tls13.certificates.isEmpty)  // encrypted in TLS 1.3

        let tls12 = try #require(reports.first { $0.summary.serverPort == 8444 }?.evidence?.tls)
        #expect(tls12.sni == "web.whatsapp.com")
        #expect(tls12.version == "1.2")
        #expect(tls12.ja3 == "871a754af286dfb70c1b53c6887c62e0")
        #expect(tls12.ja3s == "abade5a4a7f42baf54766e5d108283b6")
        #expect(tls12.ja4 == "t12d280700_d943125447b4_e7e480e5a997")
        let certificate = try #require(tls12.certificates.first)
        #expect(certificate.subject == "CN=web.whatsapp.com")
        #expect(certificate.san == ["web.whatsapp.com"])
        #expect(certificate.ja4x == "7022c563de38_7022c563de38_ecad00239dd7")
        #expect(certificate.sha256.count == 64)

        let syn = try #require(reports.first { $0.summary.serverPort == 8443 }?.evidence)
        #expect(syn.ja4t == "65495_2-4-8-1-3_65495_10")
        #expect(syn.appProto == .tls)
    }

    /// OpenSSL 3 with an ffdhe8192 key share: the ClientHello spans three TCP
    /// segments (MTU 576). Values from tshark (JA3/JA3S) and the JA4 spec.
    @Test func largeKeyShareClientHelloOverSeveralSegments() throws {
        let reports = flows("lab-tls-keyshare.pcap")
        let tls13 = try #require(reports.first { $0.evidence?.tls?.sni == "storage.signal.org" }?.evidence?.tls)
        #expect(tls13.ja3 == "68e6fd8d03224f6ebcf867ca6f6a5c4e")
        #expect(tls13.ja3s == "15af977ce25de452b96affa2addb1036")
        #expect(tls13.ja4 == "t13d3111h2_e8f1e7e78f70_1f22a2ca17c4")
        #expect(tls13.ja4s == "t130200_1302_a56c5b993250")
        #expect(tls13.alpn == ["h2", "http/1.1"])
        let tls12 = try #require(reports.first { $0.evidence?.tls?.sni == "mmg.whatsapp.net" }?.evidence?.tls)
        #expect(tls12.ja3 == "f28782e971803fd1e931f4cdbb5fde64")
        #expect(tls12.ja3s == "ec74a5c51106f0419184d0dd08fb05bc")
        #expect(tls12.ja4s == "t120400_c030_12a20535f9be")
        #expect(tls12.certificates.count == 1)
    }

    @Test func dnsQueriesAndAnswers() throws {
        let reports = flows("lab-basic.pcap")
        let dns = reports.compactMap { $0.evidence?.dns }
        #expect(dns.count == 2)
        let a = try #require(dns.first { $0.queries.first?.type == "A" })
        #expect(a.queries.first?.name == "chat.signal.org")
        #expect(a.answers.first?.data == "127.0.0.10")
        #expect(a.rcode == "NOERROR")
    }

    @Test func quicInitialIsDecrypted() throws {
        let evidence = try #require(flows("lab-quic.pcap").first?.evidence)
        #expect(evidence.appProto == .quic)
        #expect(evidence.quic?.version == "v1")
        #expect(evidence.tls?.sni == "web.telegram.org")
        #expect(evidence.tls?.alpn == ["h3"])
        #expect(evidence.tls?.ja4?.hasPrefix("q13d") == true)
        #expect(evidence.tls?.ja4s != nil)
    }

    @Test func sshBannersAndHASSH() throws {
        let ssh = try #require(flows("lab-ssh.pcap").first?.evidence?.ssh)
        #expect(ssh.clientBanner?.hasPrefix("SSH-2.0-OpenSSH") == true)
        #expect(ssh.hassh == "472b5de333ad665af5cbf10ff892c4df")         // tshark ssh.kex.hassh
        #expect(ssh.hasshServer == "425d29fe50d8e4f5e37efb6e24bcf660")   // tshark ssh.kex.hasshserver
        #expect(ssh.ja4ssh == ["c16s44_c6s5_c6s3"])
    }

    @Test func mtprotoTransports() {
        let transports = flows("lab-mtproto.pcap").compactMap { $0.evidence?.mtproto?.transport }
        #expect(Set(transports) == [
            "obfuscated2/abridged", "obfuscated2/intermediate", "obfuscated2/padded-intermediate",
            "abridged", "intermediate", "full",
        ])
    }

    /// A DNS answer, then a connection to the answered address: the connection
    /// carries the name it was looked up by.
    @Test func dnsNameFollowsTheAnsweredAddress() throws {
        let lab = try Data(contentsOf: Paths.captures.appendingPathComponent("lab-basic.pcap"))
        let bytes = [UInt8](lab)
        // Find the A answer (127.0.0.10) record: the frame whose UDP source port is 5353.
        var offset = 24
        var answer: [UInt8]?
        while offset + 16 <= bytes.count {
            let caplen = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8
            let frame = Array(bytes[offset..<offset + 16 + caplen])
            let ip = 16 + 14
            if frame.count > ip + 28, frame[ip + 9] == 17, frame[ip + 20] == 0x14, frame[ip + 21] == 0xE9,
               frame.suffix(4) == [127, 0, 0, 10] {
                answer = frame
                break
            }
            offset += 16 + caplen
        }
        let record = try #require(answer)
        // A TCP SYN from 127.0.0.1 to 127.0.0.10:443 one second after the answer.
        var syn = [UInt8](repeating: 0, count: 12) + [0x08, 0x00]
        syn += [0x45, 0, 0, 40, 0, 1, 0, 0, 64, 6, 0, 0, 127, 0, 0, 1, 127, 0, 0, 10]
        syn += [0xC3, 0x50, 0x01, 0xBB, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x02, 0xFF, 0xFF, 0, 0, 0, 0]
        var header = Array(record[0..<16])
        header[0] &+= 1  // one second later
        header[8] = UInt8(syn.count); header[9] = 0; header[12] = UInt8(syn.count); header[13] = 0
        let file = Array(bytes[0..<24]) + record + header + syn
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("dns-then-connect-\(UUID().uuidString).pcap")
        try Data(file).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reports = analyze([url.path]).reports
        let connection = try #require(reports.first { $0.summary.serverPort == 443 })
        #expect(connection.evidence?.dnsName == "chat.signal.org")
    }
}

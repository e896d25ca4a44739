import Analysis
import Foundation
import Inspection
import Reports
import Schema
import Testing

/// TLS that begins mid-stream (`lab-upgrade.pcap`, `Captures/make-upgrade-capture.py`:
/// openssl s_client -starttls, curl through HTTP CONNECT and SOCKS proxies, in a network
/// namespace) and TCP as it really happens (`lab-tcp.pcap`, `Captures/make-tcp-capture.py`:
/// Fast Open, SYN retries, an SSH pre-banner). Expected values are tshark's on the same
/// frames (`tls.handshake.extensions_server_name`, `tls.handshake.ja3`, `tls.handshake.ja3s`).
struct UpgradeCaptureTests {
    static let upgrade = Paths.captures.appendingPathComponent("lab-upgrade.pcap").path
    static let tcp = Paths.captures.appendingPathComponent("lab-tcp.pcap").path

    /// OpenSSL 3.0's s_client ClientHello and Python ssl's server answer (TLS 1.2 at most).
    static let opensslJA3 = "a3afc2c46ba4a7d7fbe1cfb7a3031c2f"
    static let serverJA3S = "abade5a4a7f42baf54766e5d108283b6"

    @Test func startTLSHandshakesAreDissected() throws {
        let reports = analyze([Self.upgrade]).reports
        let expected: [(port: UInt16, proto: AppProtocol, sni: String)] = [
            (25, .smtp, "smtp.lab.example"), (587, .smtp, "submission.lab.example"), (143, .imap, "imap.lab.example"),
            (110, .pop3, "pop3.lab.example"), (21, .ftp, "ftp.lab.example"), (5222, .xmpp, "xmpp.lab.example"),
            (5269, .xmpp, "s2s.lab.example"), (389, .ldap, "ldap.lab.example"), (5432, .postgresql, "postgres.lab.example"),
            (3389, .rdp, "rdp.lab.example"),
        ]
        for (port, proto, sni) in expected {
            let flow = try #require(reports.first { $0.summary.serverPort == port }, "no flow to port \(port)")
            let evidence = try #require(flow.evidence)
            #expect(evidence.appProto == proto, "port \(port)")
            let tls = try #require(evidence.tls, "no TLS on port \(port)")
            #expect(tls.sni == sni)
            #expect(tls.ja3 == (port == 3389 ? "d39e1be3241d516b1f714bd47c2bc968" : Self.opensslJA3), "port \(port)")
            #expect(tls.ja3s == Self.serverJA3S, "port \(port)")
            #expect(tls.ja4 != nil && tls.ja4s == "t120400_c02c_12a20535f9be", "port \(port)")
            #expect(tls.certificates.first?.subject == "CN=upgrade.lab.example", "port \(port)")
            #expect(evidence.proxy == nil)
        }
    }

    @Test func proxiedHandshakesAndTargets() throws {
        let reports = analyze([Self.upgrade]).reports
        let expected: [(sni: String, proto: AppProtocol, type: String, host: String)] = [
            ("connect.lab.example", .http, "http-connect", "connect.lab.example"),
            ("socks4.lab.example", .socks, "socks4", "127.0.0.1"),
            ("socks4a.lab.example", .socks, "socks4a", "socks4a.lab.example"),
            ("socks5.lab.example", .socks, "socks5", "127.0.0.1"),
            ("socks5h.lab.example", .socks, "socks5", "socks5h.lab.example"),
            ("socks5v6.lab.example", .socks, "socks5", "::1"),
        ]
        for (sni, proto, type, host) in expected {
            let flow = try #require(reports.first { $0.evidence?.tls?.sni == sni }, "no handshake with SNI \(sni)")
            let evidence = try #require(flow.evidence)
            #expect(evidence.appProto == proto)
            let proxy = try #require(evidence.proxy)
            #expect(proxy.type == type && proxy.targetHost == host && proxy.targetPort == 8443, "\(sni)")
            #expect(evidence.tls?.ja3 == "0149f47eabf9a20d0893e2a44e5a6323")  // curl's, as tshark computes it
            #expect(evidence.tls?.ja3s == "a548c224ffe85e7076d7897c27f6758c")
            #expect(evidence.tls?.certificates.isEmpty == false)
        }
    }

    /// Fast Open: the ClientHello or the request in the SYN is the stream's first bytes;
    /// when the server takes only the SYN, the data sent again at ISN+1 counts once.
    @Test func fastOpenDataBelongsToTheStream() throws {
        let reports = analyze([Self.tcp]).reports
        let tls = reports.filter { $0.summary.serverPort == 8443 }.compactMap { $0.evidence?.tls?.sni }
        #expect(tls == ["tfo-cookie.lab.example", "tfo.lab.example"])
        let http = reports.filter { [8080, 8081].contains($0.summary.serverPort) }
        #expect(http.compactMap { $0.evidence?.http?.host } == ["tfo-http-cookie.lab.example", "tfo-http.lab.example", "tfo-retry.lab.example"])
        for flow in http { #expect(flow.evidence?.http?.ja4h.count == 1) }
    }

    @Test func synRetriesAreOneFlow() throws {
        let flows = analyze([Self.tcp]).reports.filter { $0.summary.serverPort == 9443 }
        #expect(flows.count == 1)
        let flow = try #require(flows.first)
        #expect(flow.evidence?.tls?.sni == "retry.lab.example")
        #expect(flow.summary.tcp.contains(.established))
    }

    @Test func sshBannerAfterPreBannerLines() throws {
        let flow = try #require(analyze([Self.tcp]).reports.first { $0.summary.serverPort == 2222 })
        let ssh = try #require(flow.evidence?.ssh)
        #expect(ssh.serverBanner == "SSH-2.0-LabSSH_1.0 prebanner")
        #expect(ssh.clientBanner?.hasPrefix("SSH-2.0-OpenSSH_") == true)
        #expect(ssh.hasshServer != nil)
    }
}

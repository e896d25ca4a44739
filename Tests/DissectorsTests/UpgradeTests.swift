import Testing
@testable import Dissectors

/// The clear-text halves of upgrades (STARTTLS, LDAP, PostgreSQL, RDP, proxies): where
/// the inner stream starts, refusals, and no crash on any prefix or mutation.
struct UpgradeTests {
    /// A TLS 1.2 ClientHello record header and the start of its body.
    static let tlsRecord: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3C]

    func negotiation(_ bytes: [UInt8], _ body: (UnsafeRawBufferPointer) -> UpgradeNegotiation) -> UpgradeNegotiation {
        bytes.withUnsafeBytes(body)
    }

    func lineScan(_ text: String, _ dialect: LineUpgrade.Dialect?, client: Bool, tls: Bool = true) -> UpgradeNegotiation {
        let bytes = Array(text.utf8) + (tls ? Self.tlsRecord : [])
        return bytes.withUnsafeBytes { LineUpgrade.scan($0, from: 0, dialect: dialect, fromClient: client).negotiation }
    }

    @Test func greetingsNameTheDialect() {
        func greeting(_ text: String) -> LineUpgrade.Greeting? { Array(text.utf8).withUnsafeBytes { LineUpgrade.greeting($0) } }
        #expect(greeting("220 mail.example ESMTP Postfix\r\n") == .known(.smtp))
        #expect(greeting("220 ProFTPD Server ready\r\n") == .known(.ftp))
        #expect(greeting("220 welcome\r\n") == .smtpOrFTP)
        #expect(greeting("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n") == .known(.imap))
        #expect(greeting("+OK POP3 ready\r\n") == .known(.pop3))
        #expect(greeting("220 no line end yet") == nil)
        #expect(greeting("SSH-2.0-OpenSSH\r\n") == nil)
        #expect(Array("AUTH TLS\r\n".utf8).withUnsafeBytes { LineUpgrade.dialect(ofFirstCommand: $0) } == .ftp)
        #expect(Array("EHLO me\r\n".utf8).withUnsafeBytes { LineUpgrade.dialect(ofFirstCommand: $0) } == .smtp)
    }

    @Test func lineUpgradesStartAfterTheirLine() {
        let smtpClient = "EHLO me\r\nSTARTTLS\r\n"
        #expect(lineScan(smtpClient, .smtp, client: true) == .innerStarts(at: smtpClient.utf8.count))
        let smtpServer = "220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 2.0.0 Ready\r\n"
        #expect(lineScan(smtpServer, .smtp, client: false) == .innerStarts(at: smtpServer.utf8.count))
        #expect(lineScan(smtpServer, .smtp, client: false, tls: false) == .pending)
        let imapServer = "* OK ready\r\n* CAPABILITY IMAP4rev1\r\na1 OK done\r\na2 OK Begin TLS\r\n"
        #expect(lineScan(imapServer, .imap, client: false) == .innerStarts(at: imapServer.utf8.count))
        #expect(lineScan("a1 CAPABILITY\r\na2 STARTTLS\r\n", .imap, client: true) == .innerStarts(at: 28))
        #expect(lineScan("STLS\r\n", .pop3, client: true) == .innerStarts(at: 6))
        #expect(lineScan("220 hi\r\n234 AUTH TLS ok\r\n", nil, client: false) == .innerStarts(at: 25))
        // Refused: the client goes on in the clear, no TLS record follows.
        #expect(lineScan("STARTTLS\r\nQUIT\r\n", .smtp, client: true, tls: false) == .pending)
        // Not lines at all.
        #expect(lineScan(String(repeating: "x", count: 2000), .smtp, client: true, tls: false) == .plain)
    }

    @Test func ldapStartTLS() {
        let oid = Array("1.3.6.1.4.1.1466.20037".utf8)
        let request: [UInt8] = [0x30, 0x1D, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16] + oid
        #expect(negotiation(request + Self.tlsRecord) { LDAPStartTLS.negotiation($0, fromClient: true) } == .innerStarts(at: request.count))
        #expect(request.withUnsafeBytes { LDAPStartTLS.looksLikeLDAP($0) })
        let success: [UInt8] = [0x30, 0x0C, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0A, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]
        #expect(negotiation(success) { LDAPStartTLS.negotiation($0, fromClient: false) } == .innerStarts(at: success.count))
        var refused = success
        refused[9] = 0x02  // protocolError
        #expect(negotiation(refused) { LDAPStartTLS.negotiation($0, fromClient: false) } == .plain)
        #expect(negotiation(Array(request.prefix(5))) { LDAPStartTLS.negotiation($0, fromClient: true) } == .pending)
    }

    @Test func postgresAndRDP() {
        let sslRequest: [UInt8] = [0, 0, 0, 8, 0x04, 0xD2, 0x16, 0x2F]
        #expect(negotiation(sslRequest) { PostgresSSLRequest.negotiation($0, fromClient: true) } == .innerStarts(at: 8))
        #expect(negotiation([0x53]) { PostgresSSLRequest.negotiation($0, fromClient: false) } == .innerStarts(at: 1))
        #expect(negotiation([0x4E]) { PostgresSSLRequest.negotiation($0, fromClient: false) } == .plain)
        let negReq: [UInt8] = [0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00]
        let request: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0, 0, 0, 0, 0] + negReq
        #expect(request.withUnsafeBytes { RDPNegotiation.isConnectionRequest($0) })
        #expect(negotiation(request) { RDPNegotiation.negotiation($0, fromClient: true) } == .innerStarts(at: 19))
        let standardSecurity: [UInt8] = [0x03, 0x00, 0x00, 0x13, 0x0E, 0xD0, 0, 0, 0x12, 0x34, 0, 0x02, 0x00, 0x08, 0x00, 0, 0, 0, 0]
        #expect(negotiation(standardSecurity) { RDPNegotiation.negotiation($0, fromClient: false) } == .plain)
    }

    @Test func socksRequestsAndReplies() {
        func client(_ bytes: [UInt8]) -> SOCKS.Client { bytes.withUnsafeBytes { SOCKS.client($0) } }
        // SOCKS4 to 192.0.2.1:443, user "u".
        #expect(client([4, 1, 0x01, 0xBB, 192, 0, 2, 1, 0x75, 0])
            == .request(ProxyTarget(kind: .socks4, host: "192.0.2.1", port: 443), innerStart: 10))
        // SOCKS4a: 0.0.0.1 and a name.
        #expect(client([4, 1, 0x01, 0xBB, 0, 0, 0, 1, 0] + Array("a.example".utf8) + [0])
            == .request(ProxyTarget(kind: .socks4a, host: "a.example", port: 443), innerStart: 19))
        // SOCKS5 with username/password and a domain name.
        let socks5: [UInt8] = [5, 2, 0, 2, 1, 1, 0x75, 1, 0x70, 5, 1, 0, 3, 9] + Array("b.example".utf8) + [0x20, 0xFB]
        #expect(client(socks5) == .request(ProxyTarget(kind: .socks5, host: "b.example", port: 8443), innerStart: socks5.count))
        let socks5v6: [UInt8] = [5, 1, 0, 5, 1, 0, 4, 0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [1, 0x01, 0xBB]
        #expect(client(socks5v6) == .request(ProxyTarget(kind: .socks5, host: "2001:db8::1", port: 443), innerStart: socks5v6.count))
        #expect(client([5, 1]) == .pending)
        #expect(client([0x16, 3, 1]) == .notSOCKS)
        #expect(([5, 1, 0] as [UInt8]).withUnsafeBytes { SOCKS.looksLikeRequest($0) })
        #expect(!([5, 1] as [UInt8]).withUnsafeBytes { SOCKS.looksLikeRequest($0) })
        let reply: [UInt8] = [5, 2, 1, 0, 5, 0, 0, 1, 127, 0, 0, 1, 0x20, 0xFB]
        #expect(negotiation(reply) { SOCKS.server($0, version: .socks5) } == .innerStarts(at: reply.count))
        #expect(negotiation([5, 0xFF]) { SOCKS.server($0, version: .socks5) } == .plain)
        #expect(negotiation([0, 0x5B, 0, 0, 0, 0, 0, 0]) { SOCKS.server($0, version: .socks4) } == .plain)
    }

    @Test func httpConnect() throws {
        let head = Array("CONNECT [2001:db8::5]:443 HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        let request = try #require(head.withUnsafeBytes { HTTPConnect.request($0) })
        #expect(request.target == ProxyTarget(kind: .httpConnect, host: "2001:db8::5", port: 443))
        #expect(request.innerStart == head.count)
        let ok = Array("HTTP/1.1 200 Connection established\r\n\r\n".utf8)
        #expect(negotiation(ok) { HTTPConnect.response($0) } == .innerStarts(at: ok.count))
        #expect(negotiation(Array("HTTP/1.1 407 Proxy Auth\r\n\r\n".utf8)) { HTTPConnect.response($0) } == .plain)
        #expect(negotiation(Array("HTTP/1.1 2".utf8)) { HTTPConnect.response($0) } == .pending)
    }

    /// Untrusted bytes: every prefix and thousands of mutations, in both directions.
    @Test func noCrashOnDamagedInput() {
        let oid = Array("1.3.6.1.4.1.1466.20037".utf8)
        let samples: [[UInt8]] = [
            Array("220 mx ESMTP\r\n250 STARTTLS\r\n220 go\r\n".utf8) + Self.tlsRecord,
            [0x30, 0x1D, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16] + oid + Self.tlsRecord,
            [0x30, 0x84, 0x00, 0x00, 0x00, 0x0C, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0A, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00],
            [0x03, 0x00, 0x00, 0x13, 0x0E, 0xE0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00] + Self.tlsRecord,
            [5, 2, 0, 2, 1, 1, 0x75, 1, 0x70, 5, 1, 0, 3, 9] + Array("b.example".utf8) + [0x20, 0xFB],
            [4, 1, 0x01, 0xBB, 0, 0, 0, 1, 0x75, 0] + Array("a.example".utf8) + [0],
            Array("CONNECT a:1 HTTP/1.1\r\n\r\nHTTP/1.1 200 OK\r\n\r\n".utf8),
        ]
        for sample in samples {
            L7Fixture.stress(sample, mutations: 1500) { bytes in
                for client in [true, false] {
                    _ = LineUpgrade.greeting(bytes)
                    _ = LineUpgrade.dialect(ofFirstCommand: bytes)
                    for dialect: LineUpgrade.Dialect? in [nil, .smtp, .ftp, .imap, .pop3] {
                        _ = LineUpgrade.scan(bytes, from: 0, dialect: dialect, fromClient: client)
                    }
                    _ = LDAPStartTLS.negotiation(bytes, fromClient: client)
                    _ = PostgresSSLRequest.negotiation(bytes, fromClient: client)
                    _ = RDPNegotiation.negotiation(bytes, fromClient: client)
                }
                _ = LDAPStartTLS.looksLikeLDAP(bytes)
                _ = RDPNegotiation.isConnectionRequest(bytes)
                _ = SOCKS.looksLikeRequest(bytes)
                _ = SOCKS.client(bytes)
                _ = SOCKS.server(bytes, version: .socks5)
                _ = SOCKS.server(bytes, version: .socks4)
                _ = HTTPConnect.request(bytes)
                _ = HTTPConnect.response(bytes)
            }
        }
    }
}

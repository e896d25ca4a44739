import Testing
@testable import Dissectors

struct XMPPStreamTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    func opens(_ text: String) -> Bool { bytes(text).withUnsafeBytes { XMPPStream.opensStream($0) } }
    func client(_ text: String) -> XMPPStream.Negotiation { bytes(text).withUnsafeBytes { XMPPStream.clientNegotiation($0) } }
    func server(_ text: String) -> XMPPStream.Negotiation { bytes(text).withUnsafeBytes { XMPPStream.serverNegotiation($0) } }

    let header = "<stream:stream to='example.com' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"

    @Test func streamHeaders() {
        #expect(opens(header))
        #expect(opens("<?xml version='1.0'?>" + header))
        #expect(opens("\r\n  <?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<stream:stream"))
        #expect(!opens("<?xml version='1.0'?>"))  // not yet
        #expect(!opens("<stream:str"))
        #expect(!opens("GET / HTTP/1.1\r\n"))
        #expect(!opens("<html><stream:stream"))
        #expect(!opens(""))
    }

    @Test func clientStartTLS() {
        let starttls = "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
        #expect(client(header) == .pending)
        #expect(client(header + "<star") == .pending)
        #expect(client(header + starttls) == .tlsStarts(at: header.utf8.count + starttls.utf8.count))
        #expect(client(header + "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'></starttls>\u{16}\u{03}\u{01}")
            == .tlsStarts(at: header.utf8.count + 61))
        #expect(client(header + "<auth mechanism='PLAIN'>") == .plain)
        #expect(client(header + "<iq") == .plain)
    }

    @Test func serverProceed() {
        let features = "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>"
        let proceed = "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
        #expect(server(header + features) == .pending)
        #expect(server(header + features + proceed) == .tlsStarts(at: (header + features + proceed).utf8.count))
        #expect(server(header + features + "<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>") == .plain)
    }
}

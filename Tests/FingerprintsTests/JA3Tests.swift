import Dissectors
import Fingerprints
import Testing

@Suite("JA3 and JA3S")
struct JA3Tests {
    @Test func authorVectors() {
        #expect(JA3(full: "769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0").hash
            == "ada70206e40642a3e4461f35503241d5")
        #expect(JA3(full: "769,4-5-10-9-100-98-3-6-19-18-99,,,").hash == "de350869b8c85de67a350c8d186f11e6")
        #expect(JA3S(full: "771,4865,51-43").hash == "eb1d94daa7e0344597e756a1fb6e7054")
    }

    @Test func missingListsKeepTheirCommas() {
        let hello = TLSClientHello(legacyVersion: 0x0301, cipherSuites: [4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99])
        #expect(JA3(hello).full == "769,4-5-10-9-100-98-3-6-19-18-99,,,")
        #expect(JA3(hello).hash == "de350869b8c85de67a350c8d186f11e6")
    }

    /// Values from `tshark -e tls.handshake.ja3 -e tls.handshake.ja3_full -e tls.handshake.ja3s{,_full}`.
    @Test func labCaptureMatchesTshark() throws {
        let tls13 = JA3(try #require(clientHello(LabCapture.tls13ClientHello)))
        #expect(tls13.full == "771,4866-4867-4865-255,0-11-10-35-22-23-13-43-45-51,29-23-30-25-24-256-257-258-259-260,0-1-2")
        #expect(tls13.hash == "f146948b4a599d4d7ddf071b74696983")
        let tls12 = JA3(try #require(clientHello(LabCapture.tls12ClientHello)))
        #expect(tls12.hash == "871a754af286dfb70c1b53c6887c62e0")

        let server13 = JA3S(try #require(serverHello(LabCapture.tls13ServerFlight)))
        #expect(server13.full == "771,4866,43-51" && server13.hash == "15af977ce25de452b96affa2addb1036")
        let server12 = JA3S(try #require(serverHello(LabCapture.tls12ServerFlight)))
        #expect(server12.full == "771,49196,65281-11-35-23" && server12.hash == "abade5a4a7f42baf54766e5d108283b6")
    }

    /// nDPI `[JA3C: …]` values (identical to tshark's ja3) for the same ClientHellos; GREASE dropped.
    @Test(arguments: [
        (PeerHellos.chromeJA4a, false, "aa50c12a5dfa717d9d6ab34e97de79d5"),
        (PeerHellos.chromeJA4b, false, "1b73862eae8f1711440a446b1ef357fd"),
        (PeerHellos.firefox517, false, "aa7744226c695c0b2e440419848cf700"),
        (PeerHellos.firefox680, false, "df208241e7f3897d4ca38cfe68eabb21"),
        (PeerHellos.safariH2, false, "a69708a64f853c3bcc214c2c5faf84f3"),
        (PeerHellos.safariNoALPN, false, "ee4ced3f2d15de4b5cb6fb0a894fec9f"),
        (PeerHellos.ech, false, "6820f114cf3b0809ffdcb30cb277848a"),
        (PeerHellos.lotsOfCiphers, false, "b2498734f22ddc9be05c39837ac8ac54"),  // tshark (nDPI prints none)
        (PeerHellos.dtls10Hello, true, "bd743610892cec1efed851b2b5efd4f5"),
        (PeerHellos.dtlsGTPHello, true, "b2a6643b6798940d25020cb4abe9e2aa"),
        (PeerHellos.dtls13Hello1, true, "320d2222212f652e923c3458b463c5b4"),
        (PeerHellos.dtls13Hello2, true, "0948eb2de8dfddd510d5b97930d3ad1b"),  // tshark
    ])
    func peerClientHellos(hex: String, dtls: Bool, expected: String) throws {
        let hello = try #require(clientHello(hex, dtls: dtls))
        #expect(JA3(hello).hash == expected)
    }

    /// tshark `dtls.handshake.ja3s` of the DTLS 1.3 HelloRetryRequest.
    @Test func dtlsServerHello() throws {
        let hello = try #require(serverHello(PeerHellos.dtls13HRR, dtls: true))
        #expect(JA3S(hello).hash == "ecfd4f82776364c3015565f97e8c3897")
    }

    @Test func greaseValues() {
        let grease: [UInt16] = (0..<16).map { UInt16($0) << 12 | 0x0a00 | UInt16($0) << 4 | 0x0a }
        #expect(grease.first == 0x0a0a && grease.last == 0xfafa)
        #expect(grease.allSatisfy(GREASE.isGREASE))
        #expect(!GREASE.isGREASE(0x0a1a) && !GREASE.isGREASE(0x1301) && !GREASE.isGREASE(0x00ff))
        #expect((0...UInt16.max).filter(GREASE.isGREASE).count == 16)
    }
}

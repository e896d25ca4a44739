import Dissectors
import Fingerprints
import FingerprintsFoxIO
import Testing

@Suite("JA4S and JA4X")
struct JA4SXTests {
    /// Spec §13.2.
    @Test func ja4sDocumentationExample() {
        let hello = TLSServerHello(cipherSuite: 0xc030, extensions: [0x0005, 0x0017, 0xff01, 0x0000])
        let ja4s = JA4S(hello, transport: .tcp)
        #expect(ja4s.fingerprint == "t120400_c030_4e8089b08790")
        #expect(ja4s.raw == "t120400_c030_0005,0017,ff01,0000")
    }

    @Test func ja4sLabCapture() throws {
        let tls13 = try #require(serverHello(LabCapture.tls13ServerFlight))
        #expect(JA4S(tls13, transport: .tcp).fingerprint == "t130200_1302_a56c5b993250")
        let tls12 = try #require(serverHello(LabCapture.tls12ServerFlight))
        #expect(JA4S(tls12, transport: .tcp).fingerprint == "t120400_c02c_12a20535f9be")
        #expect(JA4S(tls12, transport: .tcp).raw == "t120400_c02c_ff01,000b,0023,0017")
    }

    @Test func ja4sWithALPNAndDTLSRetryRequest() throws {
        let h2 = TLSServerHello(legacyVersion: 0x0303, selectedVersion: 0x0304, cipherSuite: 0x1301,
                                extensions: [0x002b, 0x0033, 0x0010], alpnBytes: Array("h2".utf8))
        #expect(JA4S(h2, transport: .quic).fingerprint.hasPrefix("q1303h2_1301_"))
        let retry = try #require(serverHello(PeerHellos.dtls13HRR, dtls: true))
        #expect(JA4S(retry, transport: .dtls).fingerprint.hasPrefix("dd3"))
        #expect(JA4S(TLSServerHello(cipherSuite: 0x002f), transport: .tcp).fingerprint == "t120000_002f_000000000000")
    }

    /// Spec §13.3: the hashes of the documentation's OID lists.
    @Test func ja4xDocumentationHashes() {
        #expect(JA4Text.hash12("550403,550406,550408,55040a") == "96a6439c8f5c")
        #expect(JA4Text.hash12("551d0f,551d25,551d11") == "aae71e8db6d7")
    }

    /// The self-signed lab certificate (tshark shows CN-only issuer/subject and the extensions
    /// SKI, AKI, basicConstraints, SAN in that order); hashes computed independently with hashlib.
    @Test func ja4xLabCertificate() throws {
        let message = try #require(handshakeMessages(LabCapture.tls12ServerFlight).first { $0.type == 11 })
        let chain = try #require(message.body.withUnsafeBytes { TLSCertificateMessage.parse(body: $0) })
        let leaf = try #require(chain.first)
        let ja4x = try #require(JA4X(der: leaf.der))
        #expect(ja4x.raw == "550403_550403_551d0e,551d23,551d13,551d11")
        #expect(ja4x.fingerprint == "7022c563de38_7022c563de38_ecad00239dd7")
        #expect(JA4X(der: [0x30, 0x00]) == nil)
    }

    @Test func ja4xMutationsAreSafe() throws {
        let message = try #require(handshakeMessages(LabCapture.tls12ServerFlight).first { $0.type == 11 })
        let der = Array(message.body.dropFirst(6))
        var random = SplitMix64(state: 42)
        for _ in 0..<3000 {
            var mutated = der
            mutated[Int(random.next() % UInt64(der.count))] = UInt8(truncatingIfNeeded: random.next())
            _ = JA4X(der: mutated)
        }
        for length in 0...der.count { _ = JA4X(der: Array(der.prefix(length))) }
    }
}

/// Deterministic SplitMix64 for the mutation test.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

import Dissectors
import Fingerprints
import Testing

@Suite("JA4")
struct JA4Tests {
    /// Spec §13.1: the JA4 documentation example.
    @Test func documentationExample() {
        let hello = TLSClientHello(
            cipherSuites: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013,
                           0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
            extensions: [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023,
                         0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015],
            firstALPNBytes: Array("h2".utf8), supportedVersions: [0x0304, 0x0303],
            signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601])
        let ja4 = JA4(hello, transport: .tcp)
        #expect(ja4.fingerprint == "t13d1516h2_8daaf6152771_e5627efa2ab1")
        #expect(ja4.original == "t13d1516h2_acb858a92679_18f69afefd3d")
        #expect(ja4.raw.hasPrefix("t13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804"))
        #expect(ja4.rawOriginal.hasPrefix("t13d1516h2_1301,1302,1303,c02b,"))
        // GREASE anywhere (including signature algorithms) changes nothing.
        var greased = hello
        greased.cipherSuites.insert(0x2a2a, at: 0)
        greased.extensions.insert(0xdada, at: 3)
        greased.supportedVersions.insert(0x7a7a, at: 0)
        greased.signatureAlgorithms.insert(0x8a8a, at: 0)
        #expect(JA4(greased, transport: .tcp) == ja4)
    }

    /// Spec §5.2: ALPN characters, including the hex fallback for non-alphanumeric bytes.
    @Test(arguments: [
        ([0xAB], "ab"), ([0x20], "20"), ([0xAB, 0xCD], "ad"), ([0x20, 0x61], "21"), ([0x30, 0xAB], "3b"),
        ([0x61, 0x20], "60"), ([0x30, 0x31, 0xAB, 0xCD], "3d"), ([0x30, 0xAB, 0xCD, 0x31], "01"),
        ([0xBA, 0xAD], "bd"), (Array("h".utf8), "hh"), (Array("http/1.1".utf8), "h1"), (Array("h3".utf8), "h3"),
        ([], "00"),
    ] as [([UInt8], String)])
    func alpnCharacters(name: [UInt8], expected: String) {
        #expect(JA4Text.alpnCharacters(name) == expected)
    }

    @Test func sectionABuildingBlocks() {
        #expect(JA4Text.alpnCharacters(nil) == "00")
        #expect(["13", "12", "11", "10", "s3", "s2", "d1", "d2", "d3", "00"]
            == [0x0304, 0x0303, 0x0302, 0x0301, 0x0300, 0x0002, 0xfeff, 0xfefd, 0xfefc, 0x1234].map(JA4Text.versionCode))
        #expect(JA4Text.twoDigitCount(5) == "05" && JA4Text.twoDigitCount(150) == "99")
        #expect(JA4Text.hash12("") == "000000000000")
    }

    @Test func emptyListsAndNoSignatureAlgorithms() {
        let hello = TLSClientHello(legacyVersion: 0x0301, cipherSuites: [0x002f], extensions: [0x0000])
        let ja4 = JA4(hello, transport: .tcp)
        // Only SNI: counted in `a`, but the extension hash input is empty → zeros, no trailing `_`.
        #expect(ja4.fingerprint.hasPrefix("t10d010100_") && ja4.fingerprint.hasSuffix("_000000000000"))
        #expect(ja4.raw == "t10d010100_002f_")
        #expect(JA4(TLSClientHello(), transport: .quic).fingerprint == "q12i000000_000000000000_000000000000")
    }

    /// Lab hellos (OpenSSL 3); values cross-checked with an independent script over tshark fields.
    @Test func labCapture() throws {
        let tls13 = JA4(try #require(clientHello(LabCapture.tls13ClientHello)), transport: .tcp)
        #expect(tls13.fingerprint == "t13d041000_16476d049b0b_78f1d400d464")
        #expect(tls13.raw == "t13d041000_00ff,1301,1302,1303_000a,000b,000d,0016,0017,0023,002b,002d,0033_0403,0503,0603,0807,0808,0809,080a,080b,0804,0805,0806,0401,0501,0601")
        let tls12 = JA4(try #require(clientHello(LabCapture.tls12ClientHello)), transport: .tcp)
        #expect(tls12.fingerprint == "t12d280700_d943125447b4_e7e480e5a997")
    }

    /// nDPI `[JA4: …]` values for the same ClientHellos.
    @Test(arguments: [
        (PeerHellos.chromeJA4a, JA4.Transport.tcp, "t13d1516h2_8daaf6152771_e5627efa2ab1"),
        (PeerHellos.chromeJA4b, .tcp, "t13d1516h2_8daaf6152771_9b887d9acb53"),
        (PeerHellos.firefox517, .tcp, "t13d1814h2_e8a523a41297_d267a5f792d4"),
        (PeerHellos.firefox680, .tcp, "t13d1813h2_e8a523a41297_84e5d5db657c"),
        (PeerHellos.safariH2, .tcp, "t12d2010h2_2a284e3b0c56_f05fdf8c38a9"),
        (PeerHellos.safariNoALPN, .tcp, "t12d200800_2a284e3b0c56_6e2cce1a33e5"),
        (PeerHellos.ech, .tcp, "t13d1516h2_8daaf6152771_02713d6af862"),
    ])
    func peerClientHellos(hex: String, transport: JA4.Transport, expected: String) throws {
        let hello = try #require(clientHello(hex, dtls: transport == .dtls))
        #expect(JA4(hello, transport: transport).fingerprint == expected)
    }

    /// DTLS hellos of dtls.pcap. nDPI prints `dd2d120700_…`, `dd2d160700_…`, `dd2d270600_…`: its `b` and
    /// `c` match ours, but its `a` deviates from the spec twice: these hellos carry no server_name
    /// extension (tshark lists none), so the spec's flag is `i`, and the third offers only 0xfefc in
    /// supported_versions, so the spec's version is `d3` (nDPI uses the legacy version 0xfefd).
    @Test(arguments: [
        (PeerHellos.dtls10Hello, "dd2i120700_7c0e62f61317_d9dd6182da81"),
        (PeerHellos.dtlsGTPHello, "dd2i160700_7c8d7d5e37b2_ea2cef574603"),
        (PeerHellos.dtls13Hello1, "dd3i270600_991e33d7eb74_10f9deb96590"),
    ])
    func dtlsClientHellos(hex: String, expected: String) throws {
        let hello = try #require(clientHello(hex, dtls: true))
        #expect(!hello.hasServerNameExtension)
        #expect(JA4(hello, transport: .dtls).fingerprint == expected)
    }

    /// The same comparison, but reading nDPI's current `.out` files (skipped without ../shared).
    @Test(.enabled(if: NDPIOutput.isAvailable), arguments: [
        ("chrome.pcap", ":64393 ", PeerHellos.chromeJA4a),
        ("chrome.pcap", ":64394 ", PeerHellos.chromeJA4b),
        ("firefox.pcap", ":51577 ", PeerHellos.firefox517),
        ("firefox.pcap", ":51583 ", PeerHellos.firefox680),
        ("safari.pcap", ":55262 ", PeerHellos.safariH2),
        ("safari.pcap", ":55267 ", PeerHellos.safariNoALPN),
        ("tls_ech.pcapng", ":47460 ", PeerHellos.ech),
    ])
    func againstNDPIOutFiles(file: String, endpoint: String, hex: String) throws {
        let hello = try #require(clientHello(hex))
        let ja4 = NDPIOutput.values("JA4", file: file, endpoint: endpoint)
        let ja3 = NDPIOutput.values("JA3C", file: file, endpoint: endpoint)
        #expect(ja4.first == JA4(hello, transport: .tcp).fingerprint)
        #expect(ja3.first == JA3(hello).hash)
    }
}

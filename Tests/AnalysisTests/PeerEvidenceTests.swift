import Foundation
import Testing
import Inspection
import Reports
import Schema

/// TLS, QUIC and DTLS evidence on the peer captures against nDPI's results.
@Suite(.enabled(if: Paths.peerCaptures != nil, "../shared/captures/ndpi is absent: peer-capture tests skipped"))
struct PeerEvidenceTests {
    static func run(_ name: String) throws -> (reports: [FlowReport], expected: [NDPIResult]) {
        let folder = try #require(Paths.peerCaptures)
        let reports = analyze([folder.appendingPathComponent(name).path]).reports
        let expected = try NDPIResult.flows(in: folder.appendingPathComponent(name + ".out"))
        return (reports, expected)
    }

    /// The hard cases: huge, split, reassembled and out-of-order ClientHellos over
    /// TCP and QUIC, QUIC v2 and drafts, 0-RTT, ECH, DTLS. Every flow where nDPI
    /// gives a JA4 gets one from us, with the same SNI.
    @Test(arguments: [
        "tls_with_huge_ch.pcapng", "tls_2_reasms.pcapng", "quic-v2.pcapng", "quic-29.pcap", "quic-27.pcap",
        "quic_0RTT.pcap", "quic_frags_ch_in_multiple_packets.pcapng",
        "quic_frags_ch_out_of_order_same_packet_craziness.pcapng", "tls_ech.pcapng", "dtls.pcap",
    ])
    func hardCasesGiveTheirSNIAndJA4(_ name: String) throws {
        let (reports, expected) = try Self.run(name)
        var checked = 0
        for flow in expected where flow.field("JA4") != nil {
            let report = try #require(reports.first { flow.matches($0.summary) }, "\(name): no flow for \(flow.text)")
            let tls = try #require(report.evidence?.tls, "\(name): no TLS evidence for \(flow.text)")
            #expect(tls.ja4 != nil)
            // nDPI's Hostname/SNI field for TLS/QUIC flows is the ClientHello's SNI.
            if let sni = flow.field("Hostname/SNI"), tls.sni != nil || !sni.isEmpty {
                #expect(tls.sni == sni, "\(name): \(flow.text)")
            }
            checked += 1
        }
        #expect(checked > 0)
    }

    /// QUIC's user agent (gQUIC's CHLO `UAID` tag, or Chrome's `google_user_agent`
    /// transport parameter in IETF QUIC and T051) against every QUIC flow where nDPI
    /// prints `[User-Agent: …]`: the same text, flow by flow.
    @Test func quicUserAgentAgreesWithNDPI() throws {
        let folder = try #require(Paths.peerCaptures)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".out") }.sorted()
        var compared = 0
        for outName in names {
            let name = String(outName.dropLast(4))
            let (reports, expected) = try Self.run(name)
            for flow in expected where flow.text.contains("QUIC") {
                guard let theirs = flow.field("User-Agent") else { continue }
                let report = try #require(reports.first { flow.matches($0.summary) }, "\(name): no flow for \(flow.text)")
                #expect(report.evidence?.quic?.userAgent == theirs, "\(name): \(flow.text)")
                compared += 1
            }
        }
        #expect(compared >= 14)
    }

    /// JA4 against every `[JA4: …]` in nDPI's results. Sections b and c must be
    /// equal; where section a differs, each difference must be one of the spec
    /// points nDPI gets wrong (FoxIO JA4 spec, see shared ja4-spec.md §4–§5):
    /// - SNI flag: `d` only if the ClientHello has an SNI extension, else `i`
    ///   (nDPI prints `d` for hellos without SNI, `i` for some with it);
    /// - ALPN: first and last character of the first ALPN value (nDPI prints the
    ///   first two, e.g. `ht` for http/1.1, `h3` for h3-29, `we` for webrtc);
    /// - DTLS version: the highest supported_versions value (`d3` for DTLS 1.3 only);
    /// - an empty extension list hashes to `000000000000`, not SHA-256("").
    @Test func ja4AgreesWithNDPIOrTheDifferenceIsExplained() throws {
        let folder = try #require(Paths.peerCaptures)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".out") }.sorted()
        var equal = 0, explained: [String: Int] = [:], compared = 0
        for outName in names {
            let name = String(outName.dropLast(4))
            let (reports, expected) = try Self.run(name)
            for flow in expected {
                guard let theirs = flow.field("JA4") else { continue }
                compared += 1
                let tls = try #require(reports.first { flow.matches($0.summary) }?.evidence?.tls, "\(name): \(flow.text)")
                let ours = try #require(tls.ja4, "\(name): no JA4 for \(flow.text)")
                if ours == theirs { equal += 1; continue }
                let a = ours.split(separator: "_").map(String.init), b = theirs.split(separator: "_").map(String.init)
                #expect(a.count == 3 && b.count == 3)
                #expect(a[1] == b[1], "\(name): cipher hash differs: \(ours) vs \(theirs)")
                if a[2] != b[2] {
                    #expect(a[2] == "000000000000" && b[2] == "e3b0c44298fc", "\(name): extension hash differs: \(ours) vs \(theirs)")
                    explained["empty extension list", default: 0] += 1
                }
                let ourA = Array(a[0]), theirA = Array(b[0])
                #expect(ourA.count == 10 && theirA.count == 10)
                #expect(ourA[0] == theirA[0] && ourA[4..<8] == theirA[4..<8], "\(name): \(ours) vs \(theirs)")
                if ourA[1...2] != theirA[1...2] {
                    #expect(ourA[0] == "d" && String(ourA[1...2]) == "d3" && tls.version == "dtls1.3", "\(name): version \(ours) vs \(theirs)")
                    explained["DTLS 1.3 version", default: 0] += 1
                }
                if ourA[3] != theirA[3] {
                    #expect(ourA[3] == (tls.sni != nil ? "d" : "i"), "\(name): SNI flag \(ours) vs \(theirs)")
                    explained["SNI flag", default: 0] += 1
                }
                if ourA[8...9] != theirA[8...9] {
                    let first = Array(tls.alpn.first ?? "")
                    let expectedChars = first.count >= 1 ? String([first[0], first[first.count - 1]]) : "00"
                    #expect(String(ourA[8...9]) == expectedChars, "\(name): ALPN \(ours) vs \(theirs), ALPN \(tls.alpn)")
                    explained["ALPN characters", default: 0] += 1
                }
            }
        }
        print("JA4 vs nDPI: \(compared) compared, \(equal) equal; explained differences: \(explained.sorted { $0.key < $1.key })")
        #expect(compared > 250)
    }

    @Test func stunRealmsOfCallingPlatforms() throws {
        let (signal, _) = try Self.run("stun_signal.pcapng")
        #expect(signal.contains { $0.evidence?.stun?.realm == "signal.org" })
        let (telegram, _) = try Self.run("telegram_videocall.pcapng")
        #expect(telegram.contains { $0.evidence?.stun?.realm == "telegram.org" })
        let (whatsapp, _) = try Self.run("stun_wa_call.pcapng")
        #expect(whatsapp.contains { $0.evidence?.appProto == .stun })
    }

    /// The TLS handshake inside OpenVPN's control channel, as tshark fingerprints it.
    @Test func openVPNControlChannelHandshakes() throws {
        let (reports, _) = try Self.run("openvpn.pcap")
        let ja3 = Set(reports.compactMap { $0.evidence?.tls?.ja3 })
        #expect(ja3.contains("f0d20361ae57a5c81d94ac774a736a52"))  // tcp/1194, tshark tls.handshake.ja3
        #expect(ja3.contains("c0a24f59cdefaddbf62109a0ea8e9079"))  // udp/1194
        #expect(reports.filter { $0.evidence?.appProto == .openvpn }.count >= 5)
        let (wireguard, _) = try Self.run("wireguard.pcap")
        #expect(wireguard.allSatisfy { $0.evidence?.appProto == .wireguard })
    }

    @Test func messagingFramings() throws {
        let (whatsapp, _) = try Self.run("whatsapp_login_chat.pcap")
        #expect(whatsapp.contains { $0.evidence?.appProto == .whatsappNoise })
        let (discord, _) = try Self.run("discord.pcap")
        #expect(discord.contains { $0.evidence?.framings.contains("discord-voice") == true })
    }
}

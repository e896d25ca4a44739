import Testing
import Decoding
@testable import Flows
@testable import Inspection
import Schema

/// A TCP flow keeps only a prelude until its first payload: whatever the packets,
/// its evidence is what an inspector that saw every packet itself would have found.
struct TCPPreludeTests {
    /// One TCP segment of 192.0.2.1:40000 (client) ⇄ 198.51.100.1:22.
    struct Segment {
        var fromClient: Bool
        var flags: UInt8
        var sequence: UInt32 = 0
        var payload: [UInt8] = []
        /// Options (MSS 1460, SACK permitted, window scale 7) on SYNs.
        var options: [UInt8] { flags & TCPFlags.syn != 0 ? [2, 4, 5, 0xB4, 4, 2, 1, 3, 3, 7] : [] }
    }

    static let syn = TCPFlags.syn, ack = TCPFlags.ack, psh = TCPFlags.psh

    /// The flow's evidence through `FlowInspection` (prelude first) and through an
    /// inspector fed every packet, as flat `field=value` lines.
    static func evidence(_ segments: [Segment]) -> (viaInspection: [String], direct: [String]) {
        let inspection = FlowInspection()
        let direct = FlowInspector(proto: IPProtocol.tcp, clientPort: 40000, serverPort: 22, certificates: CertificateCacheBox())
        for (index, segment) in segments.enumerated() {
            segment.payload.withUnsafeBytes { payload in
                segment.options.withUnsafeBytes { options in
                    var packet = DecodedPacket()
                    packet.ipVersion = 4
                    packet.proto = IPProtocol.tcp
                    packet.source = IPAddress(segment.fromClient ? "192.0.2.1" : "198.51.100.1")!
                    packet.destination = IPAddress(segment.fromClient ? "198.51.100.1" : "192.0.2.1")!
                    packet.sourcePort = segment.fromClient ? 40000 : 22
                    packet.destinationPort = segment.fromClient ? 22 : 40000
                    packet.tcpFlags = segment.flags
                    packet.tcpSequence = segment.sequence
                    packet.tcpWindow = 64240
                    packet.tcpOptions = options
                    packet.payload = payload
                    packet.payloadLength = UInt32(payload.count)
                    let direction: UInt8 = segment.fromClient ? 0 : 1
                    let hit = FlowHit(slot: 0, direction: direction, packetNumber: UInt64(index + 1), isNew: index == 0)
                    inspection.inspect(packet, hit: hit, time: Int64(index) * 1_000_000)
                    if !direct.isDone { _ = direct.inspect(packet, direction: direction, packetNumber: UInt64(index + 1)) }
                    else { _ = direct.countForJA4SSH(packet, direction: direction) }
                }
            }
        }
        direct.finish()
        return (lines(inspection.finish(slot: 0, continues: false) ?? FlowEvidence()), lines(direct.evidence))
    }

    static func lines(_ evidence: FlowEvidence) -> [String] {
        var sink = LineSink()
        evidence.describe(into: &sink)
        return sink.lines
    }

    struct LineSink: FlatFieldSink {
        var lines: [String] = []
        func wants(_ field: Field) -> Bool { true }
        mutating func text(_ field: Field, _ value: String) { lines.append("\(field.ruleName)=\(value)") }
        mutating func texts(_ field: Field, _ values: [String]) { lines.append("\(field.ruleName)=\(values)") }
        mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) { lines.append("\(field.ruleName)=\(value)") }
        mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) { lines.append("\(field.ruleName)=\(values)") }
        mutating func bool(_ field: Field, _ value: Bool) { lines.append("\(field.ruleName)=\(value)") }
        mutating func time(_ field: Field, nanoseconds: Int64) { lines.append("\(field.ruleName)=\(nanoseconds)") }
        mutating func seconds(_ field: Field, nanoseconds: Int64) { lines.append("\(field.ruleName)=\(nanoseconds)") }
    }

    static let clientBanner = Array("SSH-2.0-OpenSSH_9.6\r\n".utf8)
    static let serverBanner = Array("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n".utf8)

    /// Handshake, banners, then enough traffic for JA4SSH windows: the handshake
    /// packets the prelude held are in the fingerprint as an inspector counts them.
    @Test func sshAfterAHandshakeHasTheSameFingerprints() {
        var segments = [Segment(fromClient: true, flags: Self.syn, sequence: 1000),
                        Segment(fromClient: false, flags: Self.syn | Self.ack, sequence: 5000),
                        Segment(fromClient: true, flags: Self.ack, sequence: 1001),
                        Segment(fromClient: false, flags: Self.psh | Self.ack, sequence: 5001, payload: Self.serverBanner),
                        Segment(fromClient: true, flags: Self.psh | Self.ack, sequence: 1001, payload: Self.clientBanner)]
        var client: UInt32 = 1001 + UInt32(Self.clientBanner.count), server: UInt32 = 5001 + UInt32(Self.serverBanner.count)
        for index in 0..<400 {
            let fromClient = index % 3 != 0
            let length = fromClient ? 36 : (index % 2 == 0 ? 0 : 52)
            segments.append(Segment(fromClient: fromClient, flags: length == 0 ? Self.ack : Self.psh | Self.ack,
                                    sequence: fromClient ? client : server, payload: Array(repeating: 0x5A, count: length)))
            if fromClient { client &+= UInt32(length) } else { server &+= UInt32(length) }
        }
        let (viaInspection, direct) = Self.evidence(segments)
        #expect(viaInspection == direct)
        #expect(viaInspection.contains { $0.hasPrefix("tcp.ja4t=64240_2-4-1-3_1460_7") })
        #expect(viaInspection.contains { $0.contains("ja4ssh") })
    }

    /// A flow that never carries payload keeps its handshake fingerprints.
    @Test func handshakeOnly() {
        let (viaInspection, direct) = Self.evidence([Segment(fromClient: true, flags: Self.syn, sequence: 7),
                                                     Segment(fromClient: false, flags: Self.syn | Self.ack, sequence: 9)])
        #expect(viaInspection == direct)
        #expect(viaInspection.contains { $0.hasPrefix("tcp.ja4ts=") })
    }

    /// More packets without payload than the prelude packs, SYNs with other numbers
    /// (a new attempt on the same ports), then data: the inspector that takes over
    /// starts the streams where one would have.
    @Test func longPreludeAndRepeatedSYNs() {
        var segments = [Segment(fromClient: true, flags: Self.syn, sequence: 100),
                        Segment(fromClient: true, flags: Self.syn, sequence: 900),
                        Segment(fromClient: true, flags: Self.syn, sequence: 100),
                        Segment(fromClient: false, flags: Self.syn | Self.ack, sequence: 300)]
        for _ in 0..<12 { segments.append(Segment(fromClient: true, flags: Self.ack, sequence: 901)) }
        segments.append(Segment(fromClient: true, flags: Self.psh | Self.ack, sequence: 901, payload: Self.clientBanner))
        segments.append(Segment(fromClient: false, flags: Self.psh | Self.ack, sequence: 301, payload: Self.serverBanner))
        let (viaInspection, direct) = Self.evidence(segments)
        #expect(viaInspection == direct)
        #expect(viaInspection.contains { $0.contains("ssh") })
    }
}

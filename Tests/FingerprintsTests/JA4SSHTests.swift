import Testing
@testable import FingerprintsFoxIO

@Suite("JA4SSH")
struct JA4SSHTests {
    struct Generator {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func labCapture() {
        // Captures/lab-ssh.pcap, all 24 packets (direction, tcp.len, tcp.flags) from
        // `tshark -T fields -e tcp.srcport -e tcp.len -e tcp.flags`.
        let packets: [(JA4SSHPacket.Direction, Int, UInt8)] = [
            (.client, 0, 0x02), (.server, 0, 0x12), (.client, 0, 0x10), (.client, 41, 0x18),
            (.server, 0, 0x10), (.server, 41, 0x18), (.client, 0, 0x10), (.client, 1560, 0x18),
            (.server, 1088, 0x18), (.client, 0, 0x10), (.client, 1208, 0x18), (.server, 1564, 0x18),
            (.client, 0, 0x10), (.client, 16, 0x18), (.server, 0, 0x10), (.client, 44, 0x18),
            (.server, 0, 0x10), (.server, 44, 0x18), (.client, 0, 0x10), (.client, 68, 0x18),
            (.server, 44, 0x18), (.client, 0, 0x11), (.server, 0, 0x11), (.client, 0, 0x10),
        ]
        let input = packets.map { JA4SSHPacket(direction: $0.0, tcpPayloadLength: $0.1, tcpFlags: $0.2) }
        // Client lengths all differ (smallest wins: 16); the server sent 44 twice.
        // Bare ACKs: client 6 (incl. the handshake's third packet), server 3; FIN-ACKs and SYNs don't count.
        #expect(JA4SSH.fingerprints(input) == ["c16s44_c6s5_c6s3"])
    }

    @Test func windowsOf200() {
        // 250 SSH packets alternating 36-byte client / 52-byte server, an ACK after each server packet.
        var packets: [JA4SSHPacket] = []
        for index in 0..<250 {
            let client = index % 2 == 0
            packets.append(JA4SSHPacket(direction: client ? .client : .server, tcpPayloadLength: client ? 36 : 52, isBareACK: false))
            if !client { packets.append(JA4SSHPacket(direction: .client, tcpPayloadLength: 0, isBareACK: true)) }
        }
        // The ACK following packet 200 already belongs to the second window.
        #expect(JA4SSH.fingerprints(packets) == ["c36s52_c100s100_c99s0", "c36s52_c25s25_c26s0"])
        #expect(JA4SSH.fingerprints([]) == [])
        #expect(JA4SSH.fingerprints([JA4SSHPacket(direction: .server, tcpPayloadLength: 0, isBareACK: true)]) == [])
    }

    @Test func modeTiesGoToTheSmallerLength() {
        #expect(JA4SSH.mode([36: 20, 128: 10, 200: 15]) == 36)
        #expect(JA4SSH.mode([21: 1, 16: 1, 64: 1, 144: 1, 24: 1, 48: 1, 792: 1]) == 16)
        #expect(JA4SSH.mode([23: 1, 152: 1, 48: 1, 640: 1, 464: 1]) == 23)
        #expect(JA4SSH.mode([:]) == 0)
        #expect(JA4SSH.mode([100: 3, 50: 3, 75: 2]) == 50)
    }

    @Test func oneSidedWindow() {
        let packets = (0..<5).map { _ in JA4SSHPacket(direction: .server, tcpPayloadLength: 1460, isBareACK: false) }
        #expect(JA4SSH.fingerprints(packets) == ["c0s1460_c0s5_c0s0"])
    }
}

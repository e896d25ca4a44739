import Testing
@testable import FingerprintsFoxIO

@Suite("JA4T")
struct JA4TTests {
    static func ja4t(_ window: UInt16, _ options: [UInt8]) -> String {
        options.withUnsafeBytes { JA4T(window: window, options: $0).fingerprint }
    }

    @Test func labCaptureSynAndSynAck() {
        // Captures/lab-ssh.pcap frames 1-2 (Linux loopback), tshark tcp.window_size_value / tcp.options.
        #expect(Self.ja4t(65495, hexBytes("0204ffd70402080ae20d862e000000000103030a")) == "65495_2-4-8-1-3_65495_10")
        let ts = hexBytes("0204ffd70402080a2b48a7bce20d862e0103030a").withUnsafeBytes {
            JA4TS(window: 65483, options: $0).fingerprint
        }
        #expect(ts == "65483_2-4-8-1-3_65495_10")
    }

    @Test func documentedExamples() {
        // Windows 10: MSS 1460, NOP, WS 8, NOP, NOP, SACK-permitted.
        #expect(Self.ja4t(64240, [2, 4, 0x05, 0xB4, 1, 3, 3, 8, 1, 1, 4, 2]) == "64240_2-1-3-1-1-4_1460_8")
        // macOS: MSS, NOP, WS 6, NOP, NOP, timestamps, SACK-permitted, EOL, EOL padding.
        let mac: [UInt8] = [2, 4, 0x05, 0xB4, 1, 3, 3, 6, 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 4, 2, 0, 0]
        #expect(Self.ja4t(65535, mac) == "65535_2-1-3-1-1-8-4-0-0_1460_6")
        // Nmap: only MSS. Zmap: no options.
        #expect(Self.ja4t(1024, [2, 4, 0x05, 0xB4]) == "1024_2_1460_00")
        #expect(Self.ja4t(65535, []) == "65535_00_00_00")
        // Window scale 0 prints as 00.
        #expect(Self.ja4t(8192, [3, 3, 0]) == "8192_3_00_00")
    }

    @Test func retransmittedSynAck() {
        let value = [UInt8]([2, 4, 0x05, 0xB4]).withUnsafeBytes {
            JA4TS(window: 65535, options: $0, retransmissionDelays: [1, 2, 4, 8], resetDelay: 6).fingerprint
        }
        #expect(value == "65535_2_1460_00_1-2-4-8-R6")
    }

    @Test func malformedOptionsTerminate() {
        // Length 0 and 1 (ja4#210), a length past the end, and a lone kind byte.
        #expect(Self.ja4t(1, [2, 0, 5, 5]) == "1_2_00_00")
        #expect(Self.ja4t(1, [1, 8, 1]) == "1_1-8_00_00")
        #expect(Self.ja4t(1, [2, 40, 1, 1]) == "1_2_00_00")
        #expect(Self.ja4t(1, [1, 2]) == "1_1-2_00_00")
        var rng = JA4SSHTests.Generator(seed: 42)
        for _ in 0..<3000 {
            let options = (0..<Int(rng.next() % 41)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            let value = Self.ja4t(UInt16(truncatingIfNeeded: rng.next()), options)
            #expect(value.split(separator: "_").count == 4)
        }
    }
}

import Foundation
import Testing

/// `first_offset` of every flow is where frame `first_frame` starts in `source_file`,
/// found by walking the file's records here (not with libpcap).
struct FirstOffsetTests {
    @Test(arguments: ["lab-basic.pcap", "lab-quic.pcap", "crafted/multi-if.pcapng"])
    func bundledCaptures(_ name: String) throws {
        try Self.check(Runner.packageRoot.appendingPathComponent("Captures/\(name)").path)
    }

    /// Third-party pcapng and pcap (other writers); skipped without ../shared.
    @Test func peerCaptures() throws {
        let folder = Runner.packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".pcapng") || ["quic.pcap", "dns_fragmented.pcap", "chrome.pcap"].contains($0) }.sorted()
        guard !names.isEmpty else {
            print("skipped: no peer captures in \(folder.path) (../shared absent)")
            return
        }
        for name in names { try Self.check(folder.appendingPathComponent(name).path) }
    }

    /// Standard input has no offsets: the key is absent.
    @Test func standardInputHasNone() throws {
        let data = try Data(contentsOf: Runner.labCapture)
        let result = try Runner.run(["analyze", "--format", "jsonl", "-"], stdin: data)
        #expect(result.status == 0 && !result.flows.isEmpty)
        #expect(result.flows.allSatisfy { $0["first_offset"] == nil })
    }

    static func check(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let offsets = try recordOffsets([UInt8](Data(contentsOf: URL(fileURLWithPath: path))))
        let result = try Runner.run(["analyze", "--format", "jsonl", "-q", path])
        #expect(result.status == 0, "\(path): \(result.stderr)", sourceLocation: sourceLocation)
        #expect(!result.flows.isEmpty, sourceLocation: sourceLocation)
        var unknown = 0
        for flow in result.flows {
            let frame = flow["first_frame"] as! Int
            guard let offset = flow["first_offset"] as? Int else {
                unknown += 1
                continue
            }
            #expect(offset == offsets[frame - 1], "\(path): flow \(flow["flow_id"]!) frame \(frame)", sourceLocation: sourceLocation)
        }
        // Only a datagram reassembled from fragments (it starts at an earlier frame) has none.
        #expect(unknown == 0 || path.contains("fragment"), "\(path): \(unknown) flows without first_offset", sourceLocation: sourceLocation)
    }

    /// The offset of every packet record, in frame order: classic pcap records, or the
    /// packet blocks (enhanced 6, simple 3, obsolete 2) among a pcapng's blocks.
    static func recordOffsets(_ bytes: [UInt8]) throws -> [Int] {
        let pcapng = bytes.starts(with: [0x0A, 0x0D, 0x0D, 0x0A])
        let bigEndian = pcapng ? bytes[8] == 0x1A : bytes[0] == 0xA1
        func u32(_ at: Int) -> Int {
            let b = bytes[at..<at + 4].map(Int.init)
            return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
        }
        var offsets: [Int] = []
        var at = pcapng ? 0 : 24
        while at + 16 <= bytes.count {
            if pcapng {
                let length = u32(at + 4)
                guard length >= 12 else { throw CocoaError(.fileReadCorruptFile) }
                if [2, 3, 6].contains(u32(at)) { offsets.append(at) }
                at += length
            } else {
                offsets.append(at)
                at += 16 + u32(at + 8)
            }
        }
        return offsets
    }
}

import Capture
import Foundation
import Testing

/// `CapturedFrame.offset` points at the frame's own record, checked by reading the
/// file independently of libpcap: a classic pcap record header whose time and length
/// are the frame's, or a pcapng packet block (enhanced, simple or obsolete) whose data
/// are the frame's bytes.
struct RecordOffsetTests {
    static let root = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: ["lab-basic.pcap", "lab-quic.pcap", "crafted/bigendian.pcap", "crafted/nanosecond.pcap", "crafted/multi-if.pcapng"])
    func bundledCapturesPointAtTheirRecords(_ name: String) throws {
        let checked = try Self.checkEveryFrame(Self.root.appendingPathComponent("Captures/\(name)").path)
        #expect(checked > 0)
    }

    /// Third-party pcapng (other writers' block layouts); skipped without ../shared.
    @Test func peerPcapngPointsAtItsBlocks() throws {
        let folder = Self.root.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".pcapng") }.sorted()
        guard !names.isEmpty else {
            print("skipped: no peer pcapng captures in \(folder.path) (../shared absent)")
            return
        }
        for name in names { _ = try Self.checkEveryFrame(folder.appendingPathComponent(name).path) }
    }

    /// Blocks libpcap skips (a second interface before the first packet, statistics
    /// at each file's end) and packet blocks with options (comments): the offsets read
    /// back from the blocks' trailers.
    @Test func optionsAndSkippedBlocksKeepOffsetsExact() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("offsets-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = PacketFileOptions(path: folder.appendingPathComponent("c.pcapng").path)
        options.rotateBytes = 3_000  // several files, each closed with statistics blocks
        let interfaces = [PcapngInterface(name: "a", linkType: 1, snaplen: 65535), PcapngInterface(name: "b", linkType: 1, snaplen: 65535)]
        let writer = try PcapngWriter(options: options, interfaces: interfaces, now: 1_700_000_000_000_000_000) {
            Array(repeating: PcapngStatistics(counters: LiveCounters(), delivered: 0), count: 2)
        }
        for index in 0..<40 {
            let bytes = (0..<(60 + index * 7)).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ index) }
            try bytes.withUnsafeBytes { raw in
                try writer.write(interface: index % 2, time: 1_700_000_000_000_000_000 + Int64(index) * 1_000_003, bytes: raw,
                                 wireLength: UInt32(raw.count), comment: index % 3 == 0 ? "note \(index)" : nil)
            }
        }
        try writer.close()
        #expect(writer.files.count > 1)
        var total = 0
        for file in writer.files { total += try Self.checkEveryFrame(file) }
        #expect(total == 40)
    }

    /// Reads `path` with `CaptureFile` and checks each frame's offset; returns the frames checked.
    static func checkEveryFrame(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let capture = try CaptureFile(path: path)
        var count = 0
        var previous: Int64 = -1
        while case .frame(let frame) = capture.next() {
            count += 1
            let offset = Int(frame.offset)
            let place = "\(path): frame \(frame.frameNumber) at \(frame.offset)"
            #expect(frame.offset > previous, "\(place): not after the previous frame", sourceLocation: sourceLocation)
            previous = frame.offset
            guard frame.offset > 0 else { continue }
            let found = capture.format == .pcap
                ? pcapRecord(bytes, at: offset, nanosecond: capture.nanosecondTimestamps)
                : pcapngPacketBlock(bytes, at: offset)
            guard let found else {
                Issue.record("\(place): no packet record there", sourceLocation: sourceLocation)
                continue
            }
            #expect(found.data == Array(frame.bytes), "\(place): other bytes", sourceLocation: sourceLocation)
            if let time = found.time { #expect(time(frame.timestamp), "\(place): other time", sourceLocation: sourceLocation) }
        }
        return count
    }

    typealias Found = (data: [UInt8], time: ((Int64) -> Bool)?)

    static func pcapRecord(_ bytes: [UInt8], at offset: Int, nanosecond: Bool) -> Found? {
        let bigEndian = bytes[0] == 0xA1
        func u32(_ at: Int) -> Int64 {
            let b = bytes[at..<at + 4].map(Int64.init)
            return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
        }
        guard offset >= 24, offset + 16 <= bytes.count else { return nil }
        let caplen = Int(u32(offset + 8))
        guard offset + 16 + caplen <= bytes.count else { return nil }
        let time = u32(offset) * 1_000_000_000 + u32(offset + 4) * (nanosecond ? 1 : 1000)
        return (Array(bytes[offset + 16..<offset + 16 + caplen]), { $0 == time })
    }

    /// An EPB (6), SPB (3) or obsolete PB (2) at `offset`, its data and raw timestamp
    /// (compared as micro- or nanoseconds: the interface's resolution is not read here).
    static func pcapngPacketBlock(_ bytes: [UInt8], at offset: Int) -> Found? {
        let bigEndian = bytes[8] == 0x1A
        func u32(_ at: Int) -> Int64 {
            let b = bytes[at..<at + 4].map(Int64.init)
            return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
        }
        guard offset + 12 <= bytes.count else { return nil }
        let type = u32(offset)
        let length = Int(u32(offset + 4))
        guard length >= 12, offset + length <= bytes.count, u32(offset + length - 4) == Int64(length) else { return nil }
        switch type {
        case 6, 2:
            let caplen = Int(u32(offset + 20))
            guard 28 + caplen <= length else { return nil }
            let raw = u32(offset + 12) << 32 | u32(offset + 16)
            return (Array(bytes[offset + 28..<offset + 28 + caplen]), { $0 == raw || $0 == raw * 1000 })
        case 3:
            let captured = min(Int(u32(offset + 8)), length - 16)
            return (Array(bytes[offset + 12..<offset + 12 + captured]), nil)
        default:
            return nil
        }
    }
}

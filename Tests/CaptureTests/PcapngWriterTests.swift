import CPcap
import Capture
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A packet as written and as read back.
struct Packet: Equatable, CustomStringConvertible {
    var interface = 0
    var time: Int64
    var bytes: [UInt8]
    var wireLength: UInt32

    var description: String { "\(time) \(bytes.count)/\(wireLength) bytes" }

    /// Distinct contents of `length` bytes, with an odd nanosecond time.
    static func numbered(_ index: Int, length: Int, interface: Int = 0) -> Packet {
        Packet(interface: interface, time: 1_700_000_000_123_456_789 + Int64(index) * 1_000_000_007,
               bytes: (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ index) }, wireLength: UInt32(length))
    }
}

/// One pcapng block: its type and body (between the length fields).
struct Block {
    var type: UInt32
    var body: [UInt8]

    func u16(_ at: Int) -> UInt16 { UInt16(body[at]) | UInt16(body[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(body[at + $1]) << (8 * UInt32($1)) } }
    func u64(_ at: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(body[at + $1]) << (8 * UInt64($1)) } }

    /// The options starting at `offset`: code → value (the last of each code).
    func options(from offset: Int) -> [UInt16: [UInt8]] {
        var options: [UInt16: [UInt8]] = [:]
        var at = offset
        while at + 4 <= body.count {
            let code = u16(at), length = Int(u16(at + 2))
            if code == 0 { break }
            options[code] = Array(body[at + 4..<at + 4 + length])
            at += 4 + (length + 3) & ~3
        }
        return options
    }
}

enum Pcapng {
    /// The blocks of a little-endian pcapng file; records an issue on a malformed layout.
    static func blocks(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Block] {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var blocks: [Block] = []
        var offset = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(data[at + $1]) << (8 * UInt32($1)) } }
        while offset + 12 <= data.count {
            let type = u32(offset), length = Int(u32(offset + 4))
            guard length >= 12, length % 4 == 0, offset + length <= data.count else {
                Issue.record("\(path): bad block length \(length) at \(offset)", sourceLocation: sourceLocation)
                return blocks
            }
            #expect(u32(offset + length - 4) == UInt32(length), "trailing length of the block at \(offset)", sourceLocation: sourceLocation)
            blocks.append(Block(type: type, body: Array(data[offset + 8..<offset + length - 4])))
            offset += length
        }
        #expect(offset == data.count, "\(path): bytes after the last block", sourceLocation: sourceLocation)
        return blocks
    }

    /// The packets libpcap reads from `path` (through the Capture module's reader).
    static func read(_ path: String) throws -> (linkType: Int32, packets: [Packet]) {
        let file = try CaptureFile(path: path)
        var packets: [Packet] = []
        while true {
            switch file.next() {
            case .frame(let frame):
                packets.append(Packet(time: frame.timestamp, bytes: Array(frame.bytes), wireLength: frame.wireLength))
            case .end:
                return (file.linkType, packets)
            case .failed(let error):
                throw error
            }
        }
    }
}

/// `PcapngWriter`: what it writes, libpcap reads back (same packets, nanosecond
/// times, link type); its blocks follow the pcapng layout; files are private, never
/// written through a link, and rotate by size or time, optionally in a ring.
struct PcapngWriterTests {
    let eth0 = PcapngInterface(name: "eth0", linkType: 1, snaplen: 262_144)

    func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscope-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    func write(_ packets: [Packet], to writer: PcapngWriter) throws {
        for packet in packets {
            try packet.bytes.withUnsafeBytes {
                try writer.write(interface: packet.interface, time: packet.time, bytes: $0, wireLength: packet.wireLength)
            }
        }
    }

    func counters(received: UInt64, dropped: UInt64, interfaceDropped: UInt64, delivered: UInt64) -> PcapngStatistics {
        var counters = LiveCounters()
        counters.received = received
        counters.dropped = dropped
        counters.interfaceDropped = interfaceDropped
        return PcapngStatistics(counters: counters, delivered: delivered)
    }

    @Test func libpcapReadsBackThePacketsTimesAndLinkType() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cap.pcapng").path
        // Every padding case (lengths 1 to 8), a full frame, a jumbo one, and one cut by the snap length.
        var packets = [1, 2, 3, 4, 5, 6, 7, 8, 60, 1514, 9000].enumerated().map { Packet.numbered($0.offset, length: $0.element) }
        packets.append(Packet(time: 1_800_000_000_000_000_001, bytes: [0xAB, 0xCD, 0xEF], wireLength: 1500))
        let writer = try PcapngWriter(options: PacketFileOptions(path: path), interfaces: [eth0], now: 0) { [] }
        try write(packets, to: writer)
        try writer.close()
        let read = try Pcapng.read(path)
        #expect(read.linkType == 1)
        #expect(read.packets == packets)
        #expect(try CaptureFormat.sniff(path: path).format == .pcapng)
        #expect(writer.files == [path])
    }

    /// The same through libpcap's own API, with another link type (Linux cooked v1).
    @Test func pcapOpenOfflineReadsItWithNanosecondPrecision() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sll.pcapng").path
        let packets = (0..<5).map { Packet.numbered($0, length: 40 + $0) }
        let writer = try PcapngWriter(options: PacketFileOptions(path: path),
                                      interfaces: [PcapngInterface(name: "any", linkType: 113, snaplen: 65_535)], now: 0) { [] }
        try write(packets, to: writer)
        try writer.close()

        var errors = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        let handle = try #require(pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errors))
        defer { pcap_close(handle) }
        #expect(pcap_datalink(handle) == 113)
        #expect(pcap_snapshot(handle) == 65_535)
        #expect(pcap_get_tstamp_precision(handle) == PCAP_TSTAMP_PRECISION_NANO)
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        var read: [Packet] = []
        while pcap_next_ex(handle, &header, &data) == 1, let header, let data {
            let h = header.pointee
            read.append(Packet(time: Int64(h.ts.tv_sec) * 1_000_000_000 + Int64(h.ts.tv_usec),
                               bytes: Array(UnsafeBufferPointer(start: data, count: Int(h.caplen))), wireLength: h.len))
        }
        #expect(read == packets)
    }

    @Test func blocksFollowThePcapngLayout() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("two.pcapng").path
        // (libpcap reads a pcapng only when its interfaces share link type and snap length,
        // as a live capture's do: one snap length for all.)
        let interfaces = [eth0, PcapngInterface(name: "eth1", linkType: 1, snaplen: 262_144)]
        let statistics = [counters(received: 10, dropped: 2, interfaceDropped: 1, delivered: 7),
                          counters(received: 3, dropped: 0, interfaceDropped: 0, delivered: 3)]
        var options = PacketFileOptions(path: path)
        options.application = "cipherscope tests"
        let writer = try PcapngWriter(options: options, interfaces: interfaces, now: 0) { statistics }
        let packets = (0..<6).map { Packet.numbered($0, length: 50 + $0, interface: $0 % 2) }
        try write(packets, to: writer)
        try writer.close()

        let blocks = try Pcapng.blocks(path)
        #expect(blocks.map(\.type) == [0x0A0D_0D0A, 1, 1, 6, 6, 6, 6, 6, 6, 5, 5])
        let section = blocks[0]
        #expect(section.u32(0) == 0x1A2B_3C4D && section.u16(4) == 1 && section.u16(6) == 0)
        #expect(section.u64(8) == UInt64.max, "section length not given")
        #expect(section.options(from: 16)[4] == Array("cipherscope tests".utf8))  // shb_userappl
        for (index, interface) in interfaces.enumerated() {
            let block = blocks[1 + index]
            #expect(block.u16(0) == UInt16(interface.linkType))
            #expect(block.u32(4) == UInt32(interface.snaplen))
            let options = block.options(from: 8)
            #expect(options[2] == Array(interface.name.utf8))  // if_name
            #expect(options[9] == [9])  // if_tsresol: nanoseconds
        }
        for (index, packet) in packets.enumerated() {
            let block = blocks[3 + index]
            #expect(block.u32(0) == UInt32(packet.interface))
            #expect(Int64(block.u32(4)) << 32 | Int64(block.u32(8)) == packet.time)
            #expect(block.u32(12) == UInt32(packet.bytes.count) && block.u32(16) == packet.wireLength)
            #expect(Array(block.body[20..<20 + packet.bytes.count]) == packet.bytes)
        }
        for (index, entry) in statistics.enumerated() {
            let block = blocks[9 + index]
            #expect(block.u32(0) == UInt32(index))
            let options = block.options(from: 12)
            func counter(_ code: UInt16) -> UInt64? {
                options[code].map { value in value.reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            }
            #expect(counter(4) == entry.counters.received)  // isb_ifrecv
            #expect(counter(5) == entry.counters.interfaceDropped)  // isb_ifdrop
            #expect(counter(7) == entry.counters.dropped)  // isb_osdrop
            #expect(counter(8) == entry.delivered)  // isb_usrdeliv
        }
        // libpcap reads a pcapng whose interfaces share a link type, whatever the interface.
        #expect(try Pcapng.read(path).packets.map(\.bytes) == packets.map(\.bytes))
    }

    @Test func filesArePrivateAndReplacedOnlyWithForce() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cap.pcapng").path
        let first = try PcapngWriter(options: PacketFileOptions(path: path), interfaces: [eth0], now: 0) { [] }
        try first.close()
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        do {
            _ = try PcapngWriter(options: PacketFileOptions(path: path), interfaces: [eth0], now: 0) { [] }
            Issue.record("an existing file was replaced without force")
        } catch {
            #expect(error.path == path && error.message.contains("already exists"))
        }
        // With force, a link planted under the name is replaced, its target left alone.
        let target = folder.appendingPathComponent("target").path
        try "keep\n".write(toFile: target, atomically: false, encoding: .utf8)
        try FileManager.default.removeItem(atPath: path)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: target)
        var options = PacketFileOptions(path: path)
        options.force = true
        let forced = try PcapngWriter(options: options, interfaces: [eth0], now: 0) { [] }
        try write([Packet.numbered(0, length: 60)], to: forced)
        try forced.close()
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "keep\n")
        #expect(try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType == .typeRegular)
        #expect(try Pcapng.read(path).packets.count == 1)
    }

    @Test func rotationBySizeKeepsEveryFileUnderTheLimitAndReadable() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cap.pcapng").path
        var options = PacketFileOptions(path: path)
        options.rotateBytes = 2_000
        let writer = try PcapngWriter(options: options, interfaces: [eth0], now: 0) {
            [PcapngStatistics(counters: LiveCounters(), delivered: 0)]
        }
        let packets = (0..<20).map { Packet.numbered($0, length: 300) }
        try write(packets, to: writer)
        try writer.close()
        let names = ["cap.pcapng"] + (1..<writer.files.count).map { "cap" + String(repeating: "0", count: 6 - String($0).count) + "\($0).pcapng" }
        #expect(writer.files == names.map { folder.appendingPathComponent($0).path })
        // Section and interface blocks 88 bytes, statistics 76: 5 packet blocks of 332 bytes a file.
        #expect(writer.files.count == 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == names)
        var read: [Packet] = []
        for file in writer.files {
            let size = try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int ?? .max
            #expect(size <= 2_000, "\(file): \(size) bytes")
            #expect(try Pcapng.blocks(file).last?.type == 5, "each file ends with its statistics")
            read += try Pcapng.read(file).packets
        }
        #expect(read == packets)
    }

    @Test func ringReusesItsFilesAndKeepsTheNewestPackets() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cap.pcapng").path
        var options = PacketFileOptions(path: path)
        options.rotateBytes = 1_000
        options.ring = 3
        let writer = try PcapngWriter(options: options, interfaces: [eth0], now: 0) { [] }
        let packets = (0..<30).map { Packet.numbered($0, length: 200) }
        try write(packets, to: writer)
        try writer.close()
        let names = ["cap.pcapng", "cap1.pcapng", "cap2.pcapng"]
        #expect(writer.files == names.map { folder.appendingPathComponent($0).path })
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == names)
        // The files, oldest first from the one after the current, hold the newest packets in order.
        let current = try #require(writer.files.firstIndex(of: writer.currentPath))
        var read: [Packet] = []
        for offset in 1...3 { read += try Pcapng.read(writer.files[(current + offset) % 3]).packets }
        #expect(!read.isEmpty && read.count < packets.count)
        #expect(read == Array(packets.suffix(read.count)))
    }

    @Test func rotationByTime() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        var options = PacketFileOptions(path: folder.appendingPathComponent("cap.pcapng").path)
        options.rotateSeconds = 5
        let writer = try PcapngWriter(options: options, interfaces: [eth0], now: 1_000_000_000) { [] }
        try write([Packet.numbered(0, length: 60)], to: writer)
        try writer.rotateIfDue(now: 5_999_999_999)
        #expect(writer.files.count == 1)
        try writer.rotateIfDue(now: 6_000_000_000)
        #expect(writer.files.count == 2)
        try write([Packet.numbered(1, length: 60)], to: writer)
        try writer.rotateIfDue(now: 10_000_000_000)
        #expect(writer.files.count == 2, "5 s after the second file opened, not the first")
        try writer.close()
        #expect(try writer.files.map { try Pcapng.read($0).packets.count } == [1, 1])
    }

    @Test func rotatedFileNames() {
        var options = PacketFileOptions(path: "/captures/cap.pcapng")
        #expect(options.fileName(0) == "/captures/cap.pcapng")
        #expect(options.fileName(1) == "/captures/cap000001.pcapng")
        #expect(options.fileName(123_456) == "/captures/cap123456.pcapng")
        #expect(options.fileName(1_234_567) == "/captures/cap1234567.pcapng")
        options.ring = 10
        #expect((1..<10).map(options.fileName) == (1..<10).map { "/captures/cap\($0).pcapng" })
        options.ring = 11
        #expect(options.fileName(1) == "/captures/cap01.pcapng" && options.fileName(10) == "/captures/cap10.pcapng")
        options.ring = 2
        #expect(options.fileName(1) == "/captures/cap1.pcapng")
        // The number goes before the last extension of the name, never into a folder name.
        #expect(PacketFileOptions(path: "run.d/cap").fileName(2) == "run.d/cap000002")
        #expect(PacketFileOptions(path: "cap.tar.pcapng").fileName(2) == "cap.tar000002.pcapng")
        #expect(PacketFileOptions(path: ".hidden").fileName(2) == ".hidden000002")
        #expect(PacketFileOptions(path: "cap").fileName(3) == "cap000003")
    }
}

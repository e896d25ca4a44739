import CPcap
import Capture
import Foundation
import Testing

/// `CaptureFile` reads classic pcap records in blocks itself (`ClassicPcapReader`)
/// and leaves what is unusual to libpcap: whatever it reads must be exactly what
/// libpcap alone hands out, frame for frame, up to the same end or error.
struct ClassicPcapReaderTests {
    /// A frame as read, or how reading ended.
    enum Read: Equatable {
        case frame(time: Int64, bytes: [UInt8], wireLength: UInt32)
        case end
        case failed(String)
    }

    static func viaCaptureFile(_ path: String) throws -> [Read] {
        let file = try CaptureFile(path: path)
        var reads: [Read] = []
        while true {
            switch file.next() {
            case .frame(let frame):
                reads.append(.frame(time: frame.timestamp, bytes: Array(frame.bytes), wireLength: frame.wireLength))
            case .end:
                return reads + [.end]
            case .failed(let error):
                return reads + [.failed(error.message)]
            }
        }
    }

    static func viaLibpcap(_ path: String) -> [Read] {
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            return [.failed("open")]
        }
        defer { pcap_close(handle) }
        var reads: [Read] = []
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            guard status == 1, let header, let data else {
                return reads + [status == PCAP_ERROR_BREAK ? .end : .failed(String(cString: pcap_geterr(handle)))]
            }
            let time = Int64(header.pointee.ts.tv_sec) * 1_000_000_000 + Int64(header.pointee.ts.tv_usec)
            reads.append(.frame(time: time, bytes: Array(UnsafeBufferPointer(start: data, count: Int(header.pointee.caplen))), wireLength: header.pointee.len))
        }
    }

    /// A classic pcap file: the header, then records of (seconds, fraction, captured, wire length).
    static func pcap(magic: UInt32 = 0xA1B2_C3D4, bigEndian: Bool = false, snaplen: UInt32 = 65535,
                     records: [(UInt32, UInt32, [UInt8], UInt32)], cut: Int = 0) -> Data {
        var data = Data()
        func u32(_ value: UInt32) { withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { data.append(contentsOf: $0) } }
        func u16(_ value: UInt16) { withUnsafeBytes(of: bigEndian ? value.bigEndian : value.littleEndian) { data.append(contentsOf: $0) } }
        u32(magic); u16(2); u16(4); u32(0); u32(0); u32(snaplen); u32(1)
        for (seconds, fraction, bytes, wire) in records {
            u32(seconds); u32(fraction); u32(UInt32(bytes.count)); u32(wire)
            data.append(contentsOf: bytes)
        }
        return data.dropLast(cut)
    }

    static func frame(_ size: Int, _ fill: UInt8) -> [UInt8] { [UInt8](repeating: fill, count: size) }

    static let cases: [(name: String, data: Data)] = [
        ("microseconds", pcap(records: [(1_700_000_000, 1, frame(60, 1), 60), (1_700_000_001, 999_999, frame(1514, 2), 1514)])),
        ("nanoseconds", pcap(magic: 0xA1B2_3C4D, records: [(1_700_000_000, 999_999_999, frame(60, 3), 60), (1_700_000_002, 5, frame(70, 4), 90)])),
        ("big-endian", pcap(bigEndian: true, records: [(1_700_000_000, 7, frame(60, 5), 60)])),
        ("over the snapshot length", pcap(snaplen: 100, records: [(1, 0, frame(60, 6), 60), (2, 0, frame(200, 7), 200), (3, 0, frame(60, 8), 60)])),
        ("fraction out of range", pcap(records: [(1, 0, frame(60, 9), 60), (2, 2_000_000, frame(60, 10), 60), (3, 0, frame(60, 11), 60)])),
        ("captured beyond the wire length", pcap(records: [(1, 0, frame(60, 12), 60), (2, 0, frame(80, 13), 40)])),
        ("truncated record", pcap(records: [(1, 0, frame(60, 14), 60), (2, 0, frame(60, 15), 60)], cut: 10)),
        ("truncated record header", pcap(records: [(1, 0, frame(60, 16), 60), (2, 0, [], 0)], cut: 6)),
        ("no records", pcap(records: [])),
    ]

    @Test(arguments: cases.indices)
    func readsWhatLibpcapReads(_ index: Int) throws {
        let (name, data) = ClassicPcapReaderTests.cases[index]
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("classic-\(getpid())-\(index).pcap")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let expected = ClassicPcapReaderTests.viaLibpcap(url.path)
        #expect(expected.count > 1 || name == "no records")
        #expect(try ClassicPcapReaderTests.viaCaptureFile(url.path) == expected, "\(name)")
    }

    /// Many records across the reader's 1 MiB blocks (records split at block edges).
    @Test func readsRecordsAcrossBlocks() throws {
        let records = (0..<3000).map { (UInt32(1_700_000_000 + $0 / 1000), UInt32($0 % 1000 * 997), ClassicPcapReaderTests.frame(($0 * 7919) % 1500 + 1, UInt8($0 & 0xFF)), UInt32(1600)) }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("classic-\(getpid())-blocks.pcap")
        try ClassicPcapReaderTests.pcap(records: records).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let read = try ClassicPcapReaderTests.viaCaptureFile(url.path)
        #expect(read.count == 3001)
        #expect(read == ClassicPcapReaderTests.viaLibpcap(url.path))
    }
}

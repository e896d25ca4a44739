import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A problem with an input, named by file and, where known, frame and byte offset.
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String
    /// 1-based number of the frame that could not be read.
    public var frame: UInt64?
    /// Byte offset in the file where reading failed (record start for classic pcap).
    public var offset: Int64?

    public init(path: String, message: String, frame: UInt64? = nil, offset: Int64? = nil) {
        self.path = path
        self.message = message
        self.frame = frame
        self.offset = offset
    }

    public var description: String {
        var location = path
        if let frame { location += ": frame \(frame)" }
        if let offset { location += (frame == nil ? ": " : ", ") + "byte offset \(offset)" }
        return "\(location): \(message)"
    }
}

/// One captured frame as libpcap hands it out; the bytes stay valid until the next read.
public struct CapturedFrame {
    /// Capture time in nanoseconds since the Unix epoch.
    public var timestamp: Int64
    public var bytes: UnsafeRawBufferPointer
    /// Length on the wire (may exceed `bytes.count` when the snap length cut it).
    public var wireLength: UInt32
    /// 1-based frame number in the file, as Wireshark numbers it.
    public var frameNumber: UInt64
    /// Byte offset in the file of the frame's record (classic pcap: its 16-byte
    /// record header; pcapng: its packet block); -1 where there is none (standard
    /// input, live capture).
    public var offset: Int64 = -1
}

public enum CaptureRead {
    case frame(CapturedFrame)
    case end
    case failed(CaptureError)
}

/// A capture file (or standard input, path "-") read with libpcap. The format is
/// told from the content: classic pcap (either byte order, micro- or nanosecond)
/// or pcapng, whatever the file is named.
public final class CaptureFile {
    public let path: String
    public let format: CaptureFormat
    public let linkType: Int32
    /// Whether the file records nanoseconds (else microseconds).
    public let nanosecondTimestamps: Bool
    /// Frames read so far, including those a filter skipped.
    public private(set) var framesRead: UInt64 = 0
    /// Frames the BPF filter skipped.
    public private(set) var framesFiltered: UInt64 = 0

    private let handle: OpaquePointer
    private var program = bpf_program()
    private let hasFilter: Bool
    /// Offset of the next record, tracked for classic pcap to name the failing record.
    private var classicOffset: Int64 = 24
    /// libpcap's stream when it is a seekable file (not standard input): where the
    /// frames' offsets come from. `position` is where the previous read left it.
    private let stream: UnsafeMutablePointer<FILE>?
    private var position: Int64 = -1
    /// The pcapng section's byte order (its byte-order magic as written, at offset 8).
    private let pcapngBigEndian: Bool

    /// Opens `path` ("-" for standard input) and compiles `filter`, a BPF expression
    /// applied per frame so that frame numbers stay those of the file.
    public init(path: String, filter: String? = nil) throws(CaptureError) {
        self.path = path
        var sniffed = CaptureFormat.unknown
        var nanosecond = false
        if path != "-" {
            let sniff = try CaptureFormat.sniff(path: path)
            sniffed = sniff.format
            nanosecond = sniff.nanosecond
        }
        var errorBuffer = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let opened = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errorBuffer) else {
            let message = errorBuffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw CaptureError(path: path, message: CaptureFile.explain(message))
        }
        handle = opened
        format = sniffed
        nanosecondTimestamps = nanosecond
        linkType = pcap_datalink(opened)
        let file = path == "-" ? nil : pcap_file(opened)
        let start = file.map { Int64(ftello($0)) } ?? -1
        stream = start >= 0 ? file : nil
        position = start
        var magic: [UInt8] = [0, 0, 0, 0]
        if sniffed == .pcapng, let file = stream { _ = pread(fileno(file), &magic, 4, 8) }
        pcapngBigEndian = magic[0] == 0x1A
        if let filter, !filter.isEmpty {
            if pcap_compile(opened, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0 {
                let message = String(cString: pcap_geterr(opened))
                pcap_close(opened)
                throw CaptureError(path: path, message: "bad filter expression '\(filter)': \(message)")
            }
            hasFilter = true
        } else {
            hasFilter = false
        }
    }

    deinit {
        if hasFilter { pcap_freecode(&program) }
        pcap_close(handle)
    }

    /// Reads the next frame that passes the filter.
    @inline(__always)
    public func next() -> CaptureRead {
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while true {
            let status = pcap_next_ex(handle, &header, &data)
            if status == 1, let header, let data {
                framesRead += 1
                let captured = Int(header.pointee.caplen)
                classicOffset += 16 + Int64(captured)
                let offset = recordOffset(captured: captured)
                if hasFilter && pcap_offline_filter(&program, header, data) == 0 {
                    framesFiltered += 1
                    continue
                }
                // Opened with nanosecond precision: tv_usec holds nanoseconds.
                let time = frameNanoseconds(seconds: Int(header.pointee.ts.tv_sec), fraction: Int(header.pointee.ts.tv_usec), fractionIsNanoseconds: true)
                return .frame(CapturedFrame(
                    timestamp: time, bytes: UnsafeRawBufferPointer(start: data, count: captured),
                    wireLength: header.pointee.len, frameNumber: framesRead, offset: offset))
            }
            if status == PCAP_ERROR_BREAK { return .end }
            let message = String(cString: pcap_geterr(handle))
            return .failed(CaptureError(path: path, message: CaptureFile.explain(message), frame: framesRead + 1, offset: failureOffset()))
        }
    }

    /// Where the record just read starts, from the stream's position before and after
    /// the read. pcapng: libpcap skips non-packet blocks (interface, name resolution,
    /// statistics, secrets) before a packet block, so the previous end is the packet
    /// block only when the span is that of a packet block without options (EPB or
    /// obsolete PB: 32 bytes and the padded data); otherwise the block's length is read
    /// back from its trailer, the 4 bytes before the end (one `pread`, only then).
    /// glibc's `ftello` turned out to cost an `lseek` per call (strace), so classic
    /// pcap, whose records follow each other, is counted instead: no system call.
    @inline(__always)
    private func recordOffset(captured: Int) -> Int64 {
        guard let stream else { return -1 }
        if format == .pcap { return classicOffset - 16 - Int64(captured) }
        let before = position
        let end = Int64(ftello(stream))
        position = end
        guard end > before, before >= 0 else { return -1 }
        if end - before == 32 + Int64((captured + 3) & ~3) { return before }
        return CaptureFile.blockStart(fd: fileno(stream), end: end, bigEndian: pcapngBigEndian, after: before)
    }

    /// The start of the pcapng block ending at `end`, from its trailing total length
    /// (-1 when that does not describe a block after `after`).
    private static func blockStart(fd: Int32, end: Int64, bigEndian: Bool, after: Int64) -> Int64 {
        var trailer: UInt32 = 0
        guard pread(fd, &trailer, 4, off_t(end - 4)) == 4 else { return -1 }
        let length = Int64(bigEndian ? UInt32(bigEndian: trailer) : UInt32(littleEndian: trailer))
        let start = end - length
        return length >= 12 && start >= after ? start : -1
    }

    private func failureOffset() -> Int64? {
        if format == .pcap { return classicOffset }
        if path != "-", let file = pcap_file(handle) {
            let position = ftello(file)
            return position >= 0 ? Int64(position) : nil
        }
        return nil
    }

    /// libpcap's messages, made plainer where they are cryptic.
    static func explain(_ message: String) -> String {
        if message.contains("unknown file format") { return "not a pcap or pcapng capture (unknown file format)" }
        return message
    }
}

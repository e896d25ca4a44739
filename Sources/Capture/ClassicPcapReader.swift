import CPcap

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the records of a classic pcap file in large blocks from libpcap's own
/// stream, instead of libpcap's two small `fread`s per record (a third of the
/// read time of a long flow). Takes only the records libpcap would hand out
/// unchanged: native byte order, version 2.4, a common link type, a capture length
/// within the snapshot length, a valid time. At the first other record (or the
/// end of the data) it puts the stream back at that record's start and gives up,
/// so that libpcap reads it and everything after it, with libpcap's own result
/// or error.
struct ClassicPcapReader {
    /// What libpcap's header says of the frame; the bytes stay valid until the next read.
    struct Record {
        var header: pcap_pkthdr
        var bytes: UnsafePointer<UInt8>
    }

    private let stream: UnsafeMutablePointer<FILE>
    private let snapshot: UInt32
    private let nanosecond: Bool
    private let buffer: UnsafeMutableRawPointer
    private static let bufferSize = 1 << 20
    /// Unread bytes are `buffer[start..<end]`.
    private var start = 0
    private var end = 0

    /// A reader for `handle`'s file, or nil when libpcap had better read it all
    /// (standard input, pcapng, a byte order or version that libpcap converts).
    init?(handle: OpaquePointer) {
        guard let stream = pcap_file(handle) else { return nil }
        // The file header, read where it lies without moving the stream.
        var header = (magic: UInt32(0), major: UInt16(0), minor: UInt16(0), zone: Int32(0), sigfigs: UInt32(0), snaplen: UInt32(0), linkType: UInt32(0))
        let headerSize = 24
        guard MemoryLayout.size(ofValue: header) == headerSize,
              ftello(stream) == off_t(headerSize),
              withUnsafeMutableBytes(of: &header, { pread(fileno(stream), $0.baseAddress, headerSize, 0) }) == headerSize,
              header.magic == 0xA1B2_C3D4 || header.magic == 0xA1B2_3C4D,
              header.major == 2, header.minor == 4,
              ClassicPcapReader.plainLinkTypes.contains(pcap_datalink(handle)),
              pcap_snapshot(handle) > 0
        else { return nil }
        self.stream = stream
        snapshot = min(UInt32(pcap_snapshot(handle)), 262_144)
        nanosecond = header.magic == 0xA1B2_3C4D
        buffer = .allocate(byteCount: ClassicPcapReader.bufferSize, alignment: 16)
    }

    /// Link types whose frames libpcap hands out as stored (no pseudo-header fix-up).
    private static let plainLinkTypes: Set<Int32> = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276]

    func release() { buffer.deallocate() }

    /// The next record, or nil when libpcap must read from here on (the stream is
    /// back at `recordOffset`): end of file, a truncated or unusual record, a read error.
    mutating func next(at recordOffset: Int64) -> Record? {
        if end - start < 16 && !refill(wanted: 16) { return giveUp(at: recordOffset) }
        let raw = buffer + start
        let seconds = raw.loadUnaligned(as: UInt32.self)
        let fraction = raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
        let captured = raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)
        let wire = raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        // Where libpcap would convert or complain, it reads the record itself.
        guard captured <= snapshot, captured <= wire, seconds < 0x8000_0000,
              fraction < (nanosecond ? 1_000_000_000 : 1_000_000) else { return giveUp(at: recordOffset) }
        let length = 16 + Int(captured)
        if end - start < length && !refill(wanted: length) { return giveUp(at: recordOffset) }
        let bytes = (buffer + start + 16).assumingMemoryBound(to: UInt8.self)
        start += length
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(seconds)
        // libpcap opened for nanoseconds keeps them in tv_usec (see CaptureFile).
        header.ts.tv_usec = nanosecond ? Int(fraction) : Int(fraction) * 1000
        header.caplen = captured
        header.len = wire
        return Record(header: header, bytes: UnsafePointer(bytes))
    }

    /// Moves the unread bytes to the front and reads until `wanted` bytes are unread;
    /// false at the end of the data or on an error.
    private mutating func refill(wanted: Int) -> Bool {
        let unread = end - start
        if start > 0 && unread > 0 { buffer.copyMemory(from: UnsafeRawPointer(buffer + start), byteCount: unread) }
        start = 0
        end = unread
        while end < wanted {
            let read = fread(buffer + end, 1, ClassicPcapReader.bufferSize - end, stream)
            if read == 0 { return false }
            end += read
        }
        return true
    }

    /// Puts the stream at `recordOffset` for libpcap.
    private func giveUp(at recordOffset: Int64) -> Record? {
        clearerr(stream)
        fseeko(stream, off_t(recordOffset), SEEK_SET)
        return nil
    }
}

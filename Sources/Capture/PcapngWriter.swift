import Basics

/// An interface as recorded in a pcapng Interface Description Block.
public struct PcapngInterface: Sendable {
    public var name: String
    public var linkType: Int32
    public var snaplen: Int32
    /// if_tsresol: timestamps in units of 10^-resolution s (9: nanoseconds, 6: microseconds);
    /// `PcapngWriter.write`'s `time` is in these units.
    public var timestampResolution: UInt8

    public init(name: String, linkType: Int32, snaplen: Int32, timestampResolution: UInt8 = 9) {
        self.name = name
        self.linkType = linkType
        self.snaplen = snaplen
        self.timestampResolution = timestampResolution
    }
}

/// Counters written into each file's Interface Statistics Blocks at its close.
public struct PcapngStatistics: Sendable {
    public var counters: LiveCounters
    /// Packets handed to us (isb_usrdeliv).
    public var delivered: UInt64

    public init(counters: LiveCounters, delivered: UInt64) {
        self.counters = counters
        self.delivered = delivered
    }
}

/// Where and how to save the raw packets.
public struct PacketFileOptions: Sendable {
    public var path: String
    /// Start a new file before one would exceed this many bytes (nil: never).
    public var rotateBytes: UInt64?
    /// Start a new file after this many seconds (nil: never).
    public var rotateSeconds: Int64?
    /// Reuse this many files in a ring (nil: keep every file).
    public var ring: Int?
    /// Replace an existing FILE.
    public var force = false
    /// shb_userappl.
    public var application = "cipherscope"
    /// shb_comment (nil: none).
    public var comment: String?

    public init(path: String) { self.path = path }

    /// The name of file number `index` (0 is `path` itself): the number goes
    /// before the extension, zero-padded so names sort in order — with a ring of
    /// N files to the width of N-1 (cap.pcapng, cap1.pcapng … cap9.pcapng for N=10),
    /// else to six digits (cap.pcapng, cap000001.pcapng, …).
    public func fileName(_ index: Int) -> String {
        guard index > 0 else { return path }
        let width = ring.map { String(max($0 - 1, 1)).count } ?? 6
        var digits = String(index)
        if digits.count < width { digits = String(repeating: "0", count: width - digits.count) + digits }
        let slash = path.lastIndex(of: "/")
        let nameStart = slash.map { path.index(after: $0) } ?? path.startIndex
        if let dot = path[nameStart...].lastIndex(of: "."), dot > nameStart {
            return String(path[..<dot]) + digits + String(path[dot...])
        }
        return path + digits
    }
}

/// Writes the packets of a live capture as pcapng: a Section Header Block, one
/// Interface Description Block per interface (if_name, if_tsresol 9: nanoseconds),
/// Enhanced Packet Blocks, and at each file's close one Interface Statistics Block
/// per interface with the pcap_stats counters. Rotates by size or time, optionally
/// in a ring; files are created 0600 and fsync'd when closed.
public final class PcapngWriter {
    public let options: PacketFileOptions
    private let interfaces: [PcapngInterface]
    private let statistics: () -> [PcapngStatistics]
    private var descriptor: Int32 = -1
    private var buffer: [UInt8] = []
    private let flushThreshold = 256 << 10
    private var index = 0
    private var fileBytes: UInt64 = 0
    private var filePackets: UInt64 = 0
    private var fileOpenedAt: Int64 = 0
    /// Every file name written, in order (a ring's reused names appear once).
    public private(set) var files: [String] = []
    public private(set) var currentPath = ""

    /// Creates the first file (an existing one only with `force`). `now` is a monotonic
    /// time in ns (`SystemClock.monotonic()`).
    public init(options: PacketFileOptions, interfaces: [PcapngInterface], now: Int64,
                statistics: @escaping () -> [PcapngStatistics]) throws(CaptureError) {
        self.options = options
        self.interfaces = interfaces
        self.statistics = statistics
        buffer.reserveCapacity(flushThreshold + 70_000)
        try open(index: 0, replace: options.force, now: now)
    }

    deinit {
        if descriptor >= 0 { FileIO.close(descriptor) }
    }

    // MARK: Files

    private func open(index: Int, replace: Bool, now: Int64) throws(CaptureError) {
        let path = options.fileName(index)
        // O_EXCL: never follows a link planted under the name, and the file is new, so 0600.
        do {
            descriptor = try FileIO.createNew(path, replacing: replace, mode: 0o600)
        } catch {
            if error.isAlreadyExists && !replace { throw CaptureError(path: path, message: "already exists (use --force to replace it)") }
            throw CaptureError(path: path, message: error.message)
        }
        self.index = index
        currentPath = path
        if !files.contains(path) { files.append(path) }
        fileBytes = 0
        filePackets = 0
        fileOpenedAt = now
        writeSectionHeader()
        for interface in interfaces { writeInterfaceDescription(interface) }
    }

    /// Statistics, flush, fsync, close.
    private func closeFile() throws(CaptureError) {
        guard descriptor >= 0 else { return }
        let time = SystemClock.wall()
        let stats = statistics()
        for (id, entry) in stats.enumerated() where id < interfaces.count {
            writeStatistics(interface: UInt32(id), time: time, entry)
        }
        try flush()
        let closing = descriptor
        descriptor = -1
        do {
            try FileIO.syncAndClose(closing)
        } catch {
            throw CaptureError(path: currentPath, message: error.step == .sync ? "fsync failed: \(error.message)" : error.message)
        }
    }

    private func rotate(now: Int64) throws(CaptureError) {
        try closeFile()
        var next = index + 1
        if let ring = options.ring, next >= ring { next = 0 }
        try open(index: next, replace: true, now: now)
    }

    /// Starts the next file when the time limit is reached; call from the loop (cheap).
    public func rotateIfDue(now: Int64) throws(CaptureError) {
        guard let seconds = options.rotateSeconds, now - fileOpenedAt >= seconds * 1_000_000_000 else { return }
        try rotate(now: now)
    }

    /// Writes out what is buffered (the loop calls this about once a second).
    public func flush() throws(CaptureError) {
        guard descriptor >= 0, !buffer.isEmpty else { return }
        var failure: CaptureError?
        do {
            try FileIO.writeAll(descriptor, buffer)
        } catch {
            failure = CaptureError(path: currentPath, message: error.message)
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }

    /// Writes the statistics, syncs and closes the current file.
    public func close() throws(CaptureError) {
        try closeFile()
    }

    // MARK: Blocks

    /// One packet as an Enhanced Packet Block (`time` in the interface's resolution,
    /// `comment` its opt_comment); rotates first when the file would pass the size limit.
    @inline(__always)
    public func write(interface: Int, time: Int64, bytes: UnsafeRawBufferPointer, wireLength: UInt32, comment: String? = nil) throws(CaptureError) {
        let padded = (bytes.count + 3) & ~3
        var packetOptions: [UInt8] = []
        if let comment {
            PcapngWriter.option(1, Array(comment.utf8.prefix(0xFFFF)), into: &packetOptions)  // opt_comment
            PcapngWriter.option(0, [], into: &packetOptions)
        }
        let blockLength = 32 + padded + packetOptions.count
        // The statistics blocks written at the close count towards the limit too.
        if let limit = options.rotateBytes, filePackets > 0,
           fileBytes + UInt64(blockLength) + UInt64(interfaces.count * PcapngWriter.statisticsBlockLength) > limit {
            try rotate(now: SystemClock.monotonic())
        }
        let stamp = UInt64(bitPattern: time)
        append32(6)
        append32(UInt32(blockLength))
        append32(UInt32(interface))
        append32(UInt32(truncatingIfNeeded: stamp >> 32))
        append32(UInt32(truncatingIfNeeded: stamp))
        append32(UInt32(bytes.count))
        append32(wireLength)
        buffer.append(contentsOf: bytes)
        for _ in bytes.count..<padded { buffer.append(0) }
        buffer.append(contentsOf: packetOptions)
        append32(UInt32(blockLength))
        fileBytes += UInt64(blockLength)
        filePackets += 1
        if buffer.count >= flushThreshold { try flush() }
    }

    private func writeSectionHeader() {
        var options: [UInt8] = []
        if let comment = self.options.comment {
            PcapngWriter.option(1, Array(comment.utf8.prefix(0xFFFF)), into: &options)  // shb_comment
        }
        PcapngWriter.option(4, Array(self.options.application.utf8), into: &options)  // shb_userappl
        PcapngWriter.option(0, [], into: &options)
        let length = 28 + options.count
        append32(0x0A0D_0D0A)
        append32(UInt32(length))
        append32(0x1A2B_3C4D)
        append16(1)
        append16(0)
        append32(0xFFFF_FFFF)  // section length: not given
        append32(0xFFFF_FFFF)
        buffer.append(contentsOf: options)
        append32(UInt32(length))
        fileBytes += UInt64(length)
    }

    private func writeInterfaceDescription(_ interface: PcapngInterface) {
        var options: [UInt8] = []
        PcapngWriter.option(2, Array(interface.name.utf8), into: &options)  // if_name
        PcapngWriter.option(9, [interface.timestampResolution], into: &options)  // if_tsresol: 10^-n s
        PcapngWriter.option(0, [], into: &options)
        let length = 20 + options.count
        append32(1)
        append32(UInt32(length))
        append16(UInt16(truncatingIfNeeded: interface.linkType))
        append16(0)
        append32(UInt32(bitPattern: interface.snaplen))
        buffer.append(contentsOf: options)
        append32(UInt32(length))
        fileBytes += UInt64(length)
    }

    /// Bytes of one Interface Statistics Block as written here (four 64-bit counters).
    static let statisticsBlockLength = 24 + 4 * 12 + 4

    private func writeStatistics(interface: UInt32, time: Int64, _ entry: PcapngStatistics) {
        var options: [UInt8] = []
        func counter(_ code: UInt16, _ value: UInt64) {
            PcapngWriter.option(code, withUnsafeBytes(of: value.littleEndian, Array.init), into: &options)
        }
        counter(4, entry.counters.received)  // isb_ifrecv
        counter(5, entry.counters.interfaceDropped)  // isb_ifdrop
        counter(7, entry.counters.dropped)  // isb_osdrop
        counter(8, entry.delivered)  // isb_usrdeliv
        PcapngWriter.option(0, [], into: &options)
        let length = 24 + options.count
        let stamp = UInt64(bitPattern: time)
        append32(5)
        append32(UInt32(length))
        append32(interface)
        append32(UInt32(truncatingIfNeeded: stamp >> 32))
        append32(UInt32(truncatingIfNeeded: stamp))
        buffer.append(contentsOf: options)
        append32(UInt32(length))
        fileBytes += UInt64(length)
    }

    private static func option(_ code: UInt16, _ value: [UInt8], into options: inout [UInt8]) {
        options += withUnsafeBytes(of: code.littleEndian, Array.init)
        options += withUnsafeBytes(of: UInt16(value.count).littleEndian, Array.init)
        options += value
        let pad = (4 - value.count % 4) % 4
        options += [UInt8](repeating: 0, count: pad)
    }

    @inline(__always) private func append32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }

    @inline(__always) private func append16(_ value: UInt16) {
        withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) }
    }
}

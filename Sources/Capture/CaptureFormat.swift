import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The container format of a capture file, told from its first bytes.
public enum CaptureFormat: String, Sendable {
    case pcap
    case pcapng
    /// Standard input, which cannot be looked at before libpcap reads it.
    case unknown

    /// Reads the start of `path`: its format and whether timestamps are in
    /// nanoseconds (pcap magic 0xa1b23c4d, or a pcapng interface with
    /// if_tsresol 9). Throws a one-line error for missing, empty or foreign files.
    public static func sniff(path: String) throws(CaptureError) -> (format: CaptureFormat, nanosecond: Bool) {
        guard let file = fopen(path, "rb") else {
            throw CaptureError(path: path, message: String(cString: strerror(errno)).lowercased())
        }
        defer { fclose(file) }
        var status = stat()
        if fstat(fileno(file), &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR {
            throw CaptureError(path: path, message: "is a directory")
        }
        // Enough to walk the section header and the interface blocks that precede packets.
        var head = [UInt8](repeating: 0, count: 64 * 1024)
        let count = head.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        head.removeSubrange(count...)
        if count == 0 { throw CaptureError(path: path, message: "empty file, not a capture") }
        guard count >= 4 else { throw CaptureError(path: path, message: "truncated file header (\(count) bytes)", offset: 0) }
        let magicBE = UInt32(head[0]) << 24 | UInt32(head[1]) << 16 | UInt32(head[2]) << 8 | UInt32(head[3])
        switch magicBE {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_CD34, 0x34CD_B2A1:
            return (.pcap, false)
        case 0xA1B2_3C4D, 0x4D3C_B2A1:
            return (.pcap, true)
        case 0x0A0D_0D0A:
            return (.pcapng, pcapngHasNanosecondInterface(head))
        default:
            let hex = Hex.lowercase(head.prefix(4))
            throw CaptureError(path: path, message: "not a pcap or pcapng capture (starts with 0x\(hex))", offset: 0)
        }
    }

    /// Walks pcapng blocks up to the first packet block, looking for an interface
    /// whose if_tsresol option says 10^-9 seconds (or finer).
    static func pcapngHasNanosecondInterface(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 12 else { return false }
        let bigEndian = bytes[8] == 0x1A  // byte-order magic 0x1A2B3C4D as written
        func u32(_ offset: Int) -> UInt32 {
            let b = bytes[offset..<offset + 4].map(UInt32.init)
            return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
        }
        func u16(_ offset: Int) -> Int {
            let b = bytes[offset..<offset + 2].map(Int.init)
            return bigEndian ? b[0] << 8 | b[1] : b[1] << 8 | b[0]
        }
        var offset = 0
        var blocks = 0
        while offset + 12 <= bytes.count && blocks < 256 {
            blocks += 1
            let type = u32(offset)
            let length = Int(u32(offset + 4))
            guard length >= 12, length % 4 == 0, offset + length <= bytes.count else { return false }
            if type == 1 {  // Interface Description Block: options after 8 bytes of fields
                var option = offset + 16
                let end = offset + length - 4
                while option + 4 <= end {
                    let code = u16(option)
                    let optionLength = u16(option + 2)
                    if code == 0 { break }
                    if code == 9, optionLength >= 1, option + 4 < end {
                        let resolution = bytes[option + 4]
                        // Power of ten unless the top bit says power of two.
                        if resolution & 0x80 == 0 ? resolution >= 9 : (resolution & 0x7F) >= 30 { return true }
                    }
                    option += 4 + (optionLength + 3) / 4 * 4
                }
            } else if type == 6 || type == 3 || type == 2 {
                return false  // packets start: no nanosecond interface before them
            }
            offset += length
        }
        return false
    }
}

/// Expands the command line's inputs: files as given, a directory as its capture
/// files in name order (a delivery of rotated files), "-" as standard input.
public enum CaptureInputs {
    public struct Expanded: Sendable {
        public var paths: [String]
        /// Directory entries skipped because they are not captures, with the reason.
        public var skipped: [CaptureError]
        /// Inputs that could not be opened at all.
        public var errors: [CaptureError]
    }

    public static func expand(_ inputs: [String]) -> Expanded {
        var result = Expanded(paths: [], skipped: [], errors: [])
        for input in inputs {
            if input == "-" {
                result.paths.append(input)
                continue
            }
            var status = stat()
            guard stat(input, &status) == 0 else {
                result.errors.append(CaptureError(path: input, message: String(cString: strerror(errno)).lowercased()))
                continue
            }
            guard (status.st_mode & S_IFMT) == S_IFDIR else {
                result.paths.append(input)
                continue
            }
            let names: [String]
            do {
                names = try FileIO.directoryEntries(input)
            } catch {
                result.errors.append(CaptureError(path: input, message: error.message.lowercased()))
                continue
            }
            let base = input.hasSuffix("/") ? input : input + "/"
            for name in names where !name.hasPrefix(".") {
                let path = base + name
                var entryStatus = stat()
                guard stat(path, &entryStatus) == 0, (entryStatus.st_mode & S_IFMT) == S_IFREG else { continue }
                do {
                    _ = try CaptureFormat.sniff(path: path)
                    result.paths.append(path)
                } catch {
                    result.skipped.append(error)
                }
            }
        }
        return result
    }
}

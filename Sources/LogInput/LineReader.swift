#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads a log file line by line without holding more than one line (at most
/// `maximumLength` bytes) and one read buffer: a line longer than that is skipped
/// (reported as `.tooLong`), never buffered. A final line without a newline is
/// still a line.
public final class LineReader {
    public enum Line {
        case line(number: Int, bytes: [UInt8])
        case tooLong(number: Int, length: Int)
        case failed(String)
        case end
    }

    /// Longer lines are refused: 1 MiB (a record with a full certificate chain is some kilobytes).
    public static let defaultMaximumLength = 1 << 20

    /// Errors told per file; beyond them bad lines are only counted (one closing error says how many).
    public static let maximumErrorsPerFile = 100

    static func noteSuppressed(_ count: Int, path: String, errors: inout [String], onError: (LogInputError) -> Void) {
        let error = LogInputError(file: path, line: 0, message: "\(count) more bad lines not shown")
        errors.append(error.description)
        onError(error)
    }

    public let path: String
    public let maximumLength: Int
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var bufferStart = 0
    private var bufferEnd = 0
    private var lineNumber = 0
    private var finished = false

    public init(path: String, maximumLength: Int = LineReader.defaultMaximumLength) throws(LogInputError) {
        self.path = path
        self.maximumLength = max(1, maximumLength)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw LogInputError(file: path, line: 0, message: String(cString: strerror(errno))) }
        descriptor = fd
    }

    deinit { close(descriptor) }

    public func next() -> Line {
        if finished { return .end }
        var line: [UInt8] = []
        var length = 0
        var sawAny = false
        while true {
            if bufferStart == bufferEnd {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count < 0 {
                    if errno == EINTR { continue }
                    finished = true
                    return .failed(String(cString: strerror(errno)))
                }
                if count == 0 {
                    finished = true
                    guard sawAny else { return .end }
                    lineNumber += 1
                    if line.last == 0x0D { line.removeLast() }
                    return length > maximumLength ? .tooLong(number: lineNumber, length: length) : .line(number: lineNumber, bytes: line)
                }
                bufferStart = 0
                bufferEnd = count
            }
            sawAny = true
            var index = bufferStart
            while index < bufferEnd && buffer[index] != 0x0A { index += 1 }
            let piece = index - bufferStart
            if length + piece <= maximumLength {
                line.append(contentsOf: buffer[bufferStart..<index])
            } else if length <= maximumLength {
                line = []  // over the limit: drop what was kept, count the rest
            }
            length += piece
            if index < bufferEnd {
                bufferStart = index + 1
                lineNumber += 1
                if length > maximumLength { return .tooLong(number: lineNumber, length: length) }
                if line.last == 0x0D { line.removeLast() }
                return .line(number: lineNumber, bytes: line)
            }
            bufferStart = bufferEnd
        }
    }
}

/// A problem with one place of a log file (`file:line: message`), or with the file (line 0).
public struct LogInputError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { line > 0 ? "\(file):\(line): \(message)" : "\(file): \(message)" }
}

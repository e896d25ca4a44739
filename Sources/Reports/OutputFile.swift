#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

public struct OutputError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// A buffered byte sink over a file descriptor.
///
/// A regular file is written under a temporary name in the same folder (mode
/// 0600) and renamed over the final name by `commit()`, so an interrupted run
/// never leaves a half file that looks whole; an existing regular file is only
/// replaced with `force`. Standard output ("-"), devices and pipes are written directly.
public final class OutputFile {
    public let path: String
    private let descriptor: Int32
    private let temporaryPath: String?
    private var buffer: [UInt8] = []
    private let flushThreshold = 1 << 16
    private var closed = false
    /// Flush after every record (live capture, so `tail -f` works).
    public var flushEachRecord = false

    public static func standardOutput() -> OutputFile { OutputFile(path: "-", descriptor: 1, temporaryPath: nil) }

    private init(path: String, descriptor: Int32, temporaryPath: String?) {
        self.path = path
        self.descriptor = descriptor
        self.temporaryPath = temporaryPath
        buffer.reserveCapacity(flushThreshold + 4096)
    }

    public static func open(_ path: String, force: Bool, append: Bool = false) throws(OutputError) -> OutputFile {
        if path == "-" { return standardOutput() }
        var status = stat()
        let exists = stat(path, &status) == 0
        let isRegular = !exists || (status.st_mode & S_IFMT) == S_IFREG
        if !isRegular {
            // A device or a FIFO: write straight into it.
            let fd = Glibc.open(path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : 0))
            guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
            return OutputFile(path: path, descriptor: fd, temporaryPath: nil)
        }
        if append {
            let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
            return OutputFile(path: path, descriptor: fd, temporaryPath: nil)
        }
        if exists && !force {
            throw OutputError(path: path, message: "already exists (use --force to replace it)")
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder).\(name).\(getpid()).partial"
        let fd = Glibc.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw OutputError(path: path, message: String(cString: strerror(errno))) }
        return OutputFile(path: path, descriptor: fd, temporaryPath: temporary)
    }

    deinit {
        if !closed {
            // Never committed: leave no half file behind under either name.
            close(descriptor)
            if let temporaryPath { unlink(temporaryPath) }
        }
    }

    @inline(__always)
    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= flushThreshold { try flush() }
    }

    public func write(bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= flushThreshold { try flush() }
    }

    /// Marks the end of one record; flushes when records must reach the reader at once.
    public func endRecord() throws(OutputError) {
        if flushEachRecord || buffer.count >= flushThreshold { try flush() }
    }

    public func flush() throws(OutputError) {
        var failure: OutputError?
        buffer.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = OutputError(path: path, message: String(cString: strerror(errno)))
                    return
                }
                offset += written
            }
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }

    /// Flushes, closes and (for a regular file) renames the finished file into place.
    public func commit() throws(OutputError) {
        guard !closed else { return }
        try flush()
        closed = true
        if descriptor > 2 {
            if temporaryPath != nil { fsync(descriptor) }
            close(descriptor)
        }
        if let temporaryPath, rename(temporaryPath, path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw OutputError(path: path, message: message)
        }
    }
}

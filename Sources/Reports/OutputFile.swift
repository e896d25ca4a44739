import Basics

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
    private let temporary: AtomicFile?
    private var buffer: [UInt8] = []
    /// Written in blocks of about 1 MiB: few system calls, and still little memory.
    private let flushThreshold = 1 << 20
    private var closed = false
    /// Flush after every record (live capture, so `tail -f` works).
    public var flushEachRecord = false

    public static func standardOutput() -> OutputFile { OutputFile(path: "-", descriptor: 1, temporary: nil) }

    private init(path: String, descriptor: Int32, temporary: AtomicFile?) {
        self.path = path
        self.descriptor = descriptor
        self.temporary = temporary
        buffer.reserveCapacity(flushThreshold + (1 << 16))
    }

    public static func open(_ path: String, force: Bool, append: Bool = false) throws(OutputError) -> OutputFile {
        if path == "-" { return standardOutput() }
        let kind = FileIO.kind(of: path)
        let exists = kind != .missing
        if exists && !force && !append && kind == .file {
            throw OutputError(path: path, message: "already exists (use --force to replace it)")
        }
        do {
            if exists && kind != .file {
                // A device or a FIFO: write straight into it.
                return OutputFile(path: path, descriptor: try FileIO.openForWriting(path, append: append), temporary: nil)
            }
            if append {
                return OutputFile(path: path, descriptor: try FileIO.openForWriting(path, append: true, create: true), temporary: nil)
            }
            let temporary = try AtomicFile.create(path)
            return OutputFile(path: path, descriptor: temporary.descriptor, temporary: temporary)
        } catch {
            throw OutputError(path: path, message: error.message)
        }
    }

    deinit {
        if !closed {
            // Never committed: leave no half file behind under either name.
            if let temporary { temporary.discard() } else if descriptor > 2 { FileIO.close(descriptor) }  // never the standard streams
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

    /// Appends one record, written by `body` in place at the end of the output's
    /// buffer (no buffer of its own to allocate and copy), then ends it (`endRecord`).
    public func writeRecord(_ body: (inout [UInt8]) -> Void) throws(OutputError) {
        body(&buffer)
        try endRecord()
    }

    /// Marks the end of one record; flushes when records must reach the reader at once.
    public func endRecord() throws(OutputError) {
        if flushEachRecord || buffer.count >= flushThreshold { try flush() }
    }

    public func flush() throws(OutputError) {
        var failure: OutputError?
        do {
            try FileIO.writeAll(descriptor, buffer)
        } catch {
            failure = OutputError(path: path, message: error.message)
        }
        buffer.removeAll(keepingCapacity: true)
        if let failure { throw failure }
    }

    /// Flushes, closes and (for a regular file) renames the finished file into place.
    public func commit() throws(OutputError) {
        guard !closed else { return }
        try flush()
        closed = true
        if let temporary {
            do { try temporary.commit() } catch { throw OutputError(path: path, message: error.message) }
        } else if descriptor > 2 {
            FileIO.close(descriptor)
        }
    }
}

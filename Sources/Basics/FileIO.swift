#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A system call that failed: what was being done, on which path (empty when only
/// a descriptor was at hand) and `errno`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Step: Sendable, Equatable { case open, create, write, sync, close, rename, list }

    public var step: Step
    public var path: String
    public var code: Int32

    public init(_ step: Step, path: String, code: Int32) {
        self.step = step
        self.path = path
        self.code = code
    }

    /// The error from `errno` as the failed call left it.
    static func last(_ step: Step, path: String) -> SystemError { SystemError(step, path: path, code: errno) }

    /// `strerror`'s text for the code, e.g. "No such file or directory".
    public var message: String { SystemError.text(of: code) }

    /// Creating a new file failed because the name was taken (EEXIST).
    public var isAlreadyExists: Bool { code == EEXIST }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    public static func text(of code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}

/// close(2), out of reach of `FileIO.close` inside the enum.
private func posixClose(_ descriptor: Int32) -> Int32 { close(descriptor) }

/// What a path names.
public enum FileKind: Sendable, Equatable { case file, directory, symlink, other, missing }

/// The POSIX file calls the other modules use, in one place.
public enum FileIO {
    /// What `path` is: through links (stat) or the link itself (lstat); `.missing` when it cannot be told.
    public static func kind(of path: String, followingLinks: Bool = true) -> FileKind {
        var info = stat()
        guard (followingLinks ? stat(path, &info) : lstat(path, &info)) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Opens `path` for writing: a device, a FIFO, or (`create`) a file created with
    /// `mode` when missing; `append` writes at the end.
    public static func openForWriting(_ path: String, append: Bool = false, create: Bool = false,
                                      mode: UInt32 = 0o600) throws(SystemError) -> Int32 {
        let flags = O_WRONLY | O_CLOEXEC | (append ? O_APPEND : 0) | (create ? O_CREAT : 0)
        let fd = create ? open(path, flags, mode_t(mode)) : open(path, flags)
        guard fd >= 0 else { throw .last(.open, path: path) }
        return fd
    }

    /// Creates `path` as a new file with `mode` (O_EXCL: never through a link planted
    /// under the name). A file already there is removed first when `replacing`, else
    /// the error says `isAlreadyExists`.
    public static func createNew(_ path: String, replacing: Bool = false, mode: UInt32 = 0o600) throws(SystemError) -> Int32 {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        var fd = open(path, flags, mode_t(mode))
        if fd < 0 && errno == EEXIST && replacing {
            unlink(path)
            fd = open(path, flags, mode_t(mode))
        }
        guard fd >= 0 else { throw .last(.create, path: path) }
        return fd
    }

    /// Writes all of `bytes`, going on after short writes and retrying when a signal
    /// interrupts the call (EINTR).
    public static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(SystemError) {
        let code = writeAll(descriptor, bytes.baseAddress, bytes.count)
        if code != 0 { throw SystemError(.write, path: "", code: code) }
    }

    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(SystemError) {
        let code = bytes.withUnsafeBytes { writeAll(descriptor, $0.baseAddress, $0.count) }
        if code != 0 { throw SystemError(.write, path: "", code: code) }
    }

    public static func writeAll(_ descriptor: Int32, _ text: String) throws(SystemError) {
        var text = text
        let code = text.withUTF8 { writeAll(descriptor, $0.baseAddress, $0.count) }
        if code != 0 { throw SystemError(.write, path: "", code: code) }
    }

    /// The write-all loop: 0, or the errno that stopped it.
    private static func writeAll(_ descriptor: Int32, _ start: UnsafeRawPointer?, _ count: Int) -> Int32 {
        var offset = 0
        while offset < count {
            let written = write(descriptor, start! + offset, count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return errno
            }
            // write(2) returns 0 only for a count of 0; never loop on it.
            if written == 0 { return EIO }
            offset += written
        }
        return 0
    }

    /// Flushes the file to the disk (fsync; EINVAL and EROFS, which say it cannot be
    /// synced, are not failures), then closes it (always).
    public static func syncAndClose(_ descriptor: Int32) throws(SystemError) {
        let synced = fsync(descriptor)
        let failure = errno
        let closed = posixClose(descriptor)
        if synced != 0 && failure != EINVAL && failure != EROFS { throw SystemError(.sync, path: "", code: failure) }
        if closed != 0 { throw .last(.close, path: "") }
    }

    public static func close(_ descriptor: Int32) {
        _ = posixClose(descriptor)
    }

    public static func remove(_ path: String) {
        _ = unlink(path)
    }

    /// The entry names of a directory, without `.` and `..`, sorted by their UTF-8 bytes.
    public static func directoryEntries(_ path: String) throws(SystemError) -> [String] {
        guard let directory = opendir(path) else { throw .last(.list, path: path) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }
}

/// A file written under a temporary name in its destination's folder and renamed
/// over the destination once complete, so that an interrupted writer never leaves a
/// half file that looks whole.
public struct AtomicFile: Sendable {
    /// The destination.
    public let path: String
    /// `.NAME.PID.partial` beside the destination.
    public let temporaryPath: String
    public let descriptor: Int32

    /// Creates the temporary file, new (O_EXCL: never through a link) with `mode`.
    public static func create(_ path: String, mode: UInt32 = 0o600) throws(SystemError) -> AtomicFile {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(folder).\(name).\(getpid()).partial"
        let fd = try FileIO.createNew(temporary, mode: mode)
        return AtomicFile(path: path, temporaryPath: temporary, descriptor: fd)
    }

    /// Syncs and closes the temporary file, then renames it over the destination (a
    /// file or a link there is replaced, never written through). On failure the
    /// temporary file is removed and the destination left as it was.
    public func commit() throws(SystemError) {
        do {
            try FileIO.syncAndClose(descriptor)
        } catch {
            FileIO.remove(temporaryPath)
            throw SystemError(error.step, path: temporaryPath, code: error.code)
        }
        guard rename(temporaryPath, path) == 0 else {
            let failure = SystemError.last(.rename, path: path)
            FileIO.remove(temporaryPath)
            throw failure
        }
    }

    /// Closes and removes the temporary file; the destination is left as it was.
    public func discard() {
        FileIO.close(descriptor)
        FileIO.remove(temporaryPath)
    }

    /// Replaces the content of `path` with `bytes`, atomically.
    public static func write(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o600) throws(SystemError) {
        let file = try create(path, mode: mode)
        do {
            try FileIO.writeAll(file.descriptor, bytes)
        } catch {
            file.discard()
            throw SystemError(error.step, path: file.temporaryPath, code: error.code)
        }
        try file.commit()
    }
}

/// The terminal a descriptor may be.
public enum Terminal {
    public static func isTerminal(_ descriptor: Int32) -> Bool { isatty(descriptor) != 0 }

    /// The terminal's width in columns (nil when `descriptor` is not a terminal or does not tell).
    public static func columns(_ descriptor: Int32) -> Int? {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0 else { return nil }
        return Int(size.ws_col)
    }
}

/// The system's clocks, in nanoseconds.
public enum SystemClock {
    /// CLOCK_MONOTONIC: for intervals and deadlines (never jumps).
    public static func monotonic() -> Int64 { read(CLOCK_MONOTONIC) }

    /// CLOCK_REALTIME: nanoseconds since the Unix epoch.
    public static func wall() -> Int64 { read(CLOCK_REALTIME) }

    private static func read(_ clock: clockid_t) -> Int64 {
        var now = timespec()
        clock_gettime(clock, &now)
        return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Small POSIX file helpers, so that the module needs no Foundation.
enum FileAccess {
    /// Largest rule, manifest or test file accepted (hostile files must not exhaust memory).
    static let maxYAMLBytes = 4 << 20
    /// Largest list file accepted.
    static let maxListBytes = 64 << 20

    enum Kind: Sendable { case file, directory, symlink, other, missing }

    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// The bytes of a regular file of at most `limit` bytes.
    static func readFile(_ path: String, limit: Int) throws(RuleError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw RuleError(file: path, message: "cannot open: \(errnoText())", hint: "check the path and its permissions")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw RuleError(file: path, message: "not a regular file", hint: "packs hold only regular files")
        }
        guard Int(info.st_size) <= limit else {
            throw RuleError(file: path, message: "file is \(info.st_size) bytes, more than the limit of \(limit)",
                            hint: "split it, or move large value sets to list files")
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RuleError(file: path, message: "read failed: \(errnoText())")
            }
            if n == 0 { break }
            bytes += chunk[0..<n]
            // The file may grow while read: the limit holds for what is read.
            guard bytes.count <= limit else {
                throw RuleError(file: path, message: "file is larger than the limit of \(limit) bytes", hint: "split it")
            }
        }
        return bytes
    }

    /// Text of a UTF-8 file; invalid UTF-8 is an error (rule files are text).
    static func readText(_ path: String, limit: Int = maxYAMLBytes) throws(RuleError) -> String {
        let bytes = try readFile(path, limit: limit)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw RuleError(file: path, line: 1, column: 1, message: "not valid UTF-8 text", hint: "save the file as UTF-8")
        }
        return text
    }

    /// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o644) throws(RuleError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw RuleError(file: temporary, message: "cannot create: \(errnoText())") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                let text = errnoText()
                close(fd)
                unlink(temporary)
                throw RuleError(file: temporary, message: "write failed: \(text)")
            }
            written += n
        }
        guard fsync(fd) == 0 || errno == EINVAL, close(fd) == 0 else {
            unlink(temporary)
            throw RuleError(file: temporary, message: "write failed: \(errnoText())")
        }
        guard rename(temporary, path) == 0 else {
            let text = errnoText()
            unlink(temporary)
            throw RuleError(file: path, message: "cannot replace: \(text)")
        }
    }

    /// Entry names of a directory (without `.` and `..`), sorted.
    static func entries(_ path: String) throws(RuleError) -> [String] {
        guard let dir = opendir(path) else {
            throw RuleError(file: path, message: "cannot open folder: \(errnoText())")
        }
        defer { closedir(dir) }
        var names = [String]()
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// Every regular file under `root` as paths relative to it, sorted; symlinks and
    /// other special files are reported in `others`. Depth and count are bounded.
    static func walk(_ root: String, maxFiles: Int = 100_000) throws(RuleError) -> (files: [String], others: [String]) {
        var files = [String](), others = [String]()
        var pending: [(relative: String, depth: Int)] = [("", 0)]
        while let (relative, depth) = pending.popLast() {
            let folder = relative.isEmpty ? root : join(root, relative)
            for name in try entries(folder) {
                let child = relative.isEmpty ? name : relative + "/" + name
                switch kind(join(root, child)) {
                case .file: files.append(child)
                case .directory:
                    if depth < 16 { pending.append((child, depth + 1)) } else { others.append(child) }
                default: others.append(child)
                }
                if files.count + others.count > maxFiles {
                    throw RuleError(file: root, message: "more than \(maxFiles) files in the pack")
                }
            }
        }
        return (files.sorted(), others.sorted())
    }

    static func join(_ base: String, _ relative: String) -> String {
        if relative.hasPrefix("/") || base.isEmpty { return relative }
        return base.hasSuffix("/") ? base + relative : base + "/" + relative
    }

    static func errnoText() -> String {
        guard let text = strerror(errno) else { return "error \(errno)" }
        return String(cString: text)
    }
}

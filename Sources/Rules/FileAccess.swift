import Basics

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small POSIX file helpers, so that the module needs no Foundation.
enum FileAccess {
    /// Largest rule, manifest or test file accepted (hostile files must not exhaust memory).
    static let maxYAMLBytes = 4 << 20
    /// Largest list file accepted.
    static let maxListBytes = 64 << 20

    typealias Kind = FileKind

    /// What `path` itself is (a link is not followed).
    static func kind(_ path: String) -> Kind { FileIO.kind(of: path, followingLinks: false) }

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
    static func writeAtomically(_ path: String, _ bytes: [UInt8], mode: UInt32 = 0o644) throws(RuleError) {
        do {
            try AtomicFile.write(path, bytes, mode: mode)
        } catch {
            switch error.step {
            case .create, .open: throw RuleError(file: error.path, message: "cannot create: \(error.message)")
            case .rename: throw RuleError(file: error.path, message: "cannot replace: \(error.message)")
            default: throw RuleError(file: error.path, message: "write failed: \(error.message)")
            }
        }
    }

    /// Entry names of a directory (without `.` and `..`), sorted.
    static func entries(_ path: String) throws(RuleError) -> [String] {
        do {
            return try FileIO.directoryEntries(path)
        } catch {
            throw RuleError(file: path, message: "cannot open folder: \(error.message)")
        }
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

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

extension CaseLocation {
    /// Whether `path` is an SQLite database (its 16-byte header), which is how the
    /// commands that take capture files or a case (`report`, `extract`) tell a case
    /// file from a capture; opening it as a case then checks it is one.
    public static func isSQLiteFile(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { _ = close(descriptor) }
        var header = [UInt8](repeating: 0, count: 16)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 16) }
        return count == 16 && header == Array("SQLite format 3\u{0}".utf8)
    }
}

import Basics
import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A key file that cannot be used, in one line naming the file.
public struct KeyFileError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { path.isEmpty ? "pseudonymisation key: \(problem)" : "pseudonymisation key \(path): \(problem)" }
}

/// A Crypto-PAn key as kept on disk: exactly 64 hex digits (32 bytes: AES-128 key ‖
/// pad seed), optionally followed by one newline. Its id, the first 16 hex digits of
/// the SHA-256 of the 32 key bytes, names the key in reports without revealing it.
public struct PseudonymKey: Sendable {
    public let cipher: CryptoPAn
    /// First 16 hex digits of SHA-256(key bytes).
    public let id: String

    public init(bytes: [UInt8]) throws(KeyFileError) {
        cipher = try CryptoPAn(key: bytes)
        id = String(Hex.lowercase(Array(SHA256.hash(data: bytes))).prefix(16))
    }

    /// The key in a file's text (64 hex digits, one optional trailing newline).
    public init(text: String, path: String) throws(KeyFileError) {
        var utf8 = Array(text.utf8)
        // One optional line end: LF or CR LF.
        if utf8.last == 0x0A {
            utf8.removeLast()
            if utf8.last == 0x0D { utf8.removeLast() }
        }
        guard utf8.count == 64 else {
            throw KeyFileError(path: path, problem: "expected exactly 64 hex digits (32 bytes), found \(utf8.count) characters")
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for i in stride(from: 0, to: 64, by: 2) {
            guard let high = PseudonymKey.nibble(utf8[i]), let low = PseudonymKey.nibble(utf8[i + 1]) else {
                let column = PseudonymKey.nibble(utf8[i]) == nil ? i + 1 : i + 2
                throw KeyFileError(path: path, problem: "not a hex digit at character \(column)")
            }
            bytes.append(high << 4 | low)
        }
        for i in utf8.indices { utf8[i] = 0 }
        do {
            try self.init(bytes: bytes)
        } catch {
            throw KeyFileError(path: path, problem: error.problem)
        }
    }

    /// The key in the file at `path`.
    public static func load(path: String) throws(KeyFileError) -> PseudonymKey {
        var data = try readSmallFile(path)
        defer { for i in data.indices { data[i] = 0 } }
        return try PseudonymKey(text: String(decoding: data, as: UTF8.self), path: path)
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// The bytes of a regular file of at most 4 KiB (a key file is 64 or 65 bytes).
private func readSmallFile(_ path: String) throws(KeyFileError) -> [UInt8] {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else {
        let reason = errno == ENOENT ? "no such file" : SystemError.text(of: errno)
        throw KeyFileError(path: path, problem: "cannot open: \(reason)")
    }
    defer { close(fd) }
    var info = stat()
    guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
        throw KeyFileError(path: path, problem: "not a regular file")
    }
    var bytes = [UInt8]()
    var chunk = [UInt8](repeating: 0, count: 4097)
    while bytes.count <= 4096 {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw KeyFileError(path: path, problem: "cannot read: \(SystemError.text(of: errno))")
        }
        if n == 0 { break }
        bytes += chunk[0..<n]
    }
    for i in chunk.indices { chunk[i] = 0 }
    guard bytes.count <= 4096 else {
        throw KeyFileError(path: path, problem: "expected exactly 64 hex digits (32 bytes); the file is larger than 4 KiB")
    }
    return bytes
}

import Basics
import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A file's size and SHA-256, as the custody manifest lists it.
public struct FileDigest: Sendable, Equatable {
    public var size: UInt64
    /// Lower-case hex.
    public var sha256: String

    public init(size: UInt64, sha256: String) {
        self.size = size
        self.sha256 = sha256
    }
}

/// Streaming SHA-256 in bounded memory (one 1 MiB buffer, whatever the file's size).
public enum Digests {
    static let chunk = 1 << 20

    /// Hashes the file at `path` from its first byte to its end; the error text on failure.
    public static func file(_ path: String) -> Result<FileDigest, CustodyError> {
        var fd: Int32
        repeat { fd = open(path, O_RDONLY | O_CLOEXEC) } while fd < 0 && errno == EINTR
        guard fd >= 0 else { return .failure(CustodyError(path: path, message: SystemError.text(of: errno))) }
        defer { FileIO.close(fd) }
        var hasher = SHA256()
        var size: UInt64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunk, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                return .failure(CustodyError(path: path, message: "read: " + SystemError.text(of: errno)))
            }
            if count == 0 { break }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            size += UInt64(count)
        }
        return .success(FileDigest(size: size, sha256: hex(hasher.finalize())))
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { Hex.lowercase($0) }
    }
}

/// A custody step that failed: the path and what went wrong.
public struct CustodyError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }
}

/// Runs `body` on its own POSIX thread; `join()` waits for it and returns its result.
/// (No Foundation, no Dispatch: the CLI links neither.)
public final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let box: ResultBox<Value>
    private var thread: PosixThread?

    public init(_ body: @escaping @Sendable () -> Value) {
        let box = ResultBox<Value>()
        self.box = box
        thread = PosixThread.start { box.value = body() }
        if thread == nil { box.value = body() }  // no thread to be had: do the work here
    }

    /// Waits for the work (once) and returns its result.
    public func join() -> Value {
        thread?.join()
        thread = nil
        return box.value!
    }
}

final class ResultBox<Value>: @unchecked Sendable {
    var value: Value?
}

/// A started POSIX thread running a closure.
final class PosixThread: @unchecked Sendable {
    private let body: () -> Void
    private var thread = pthread_t()

    private init(_ body: @escaping () -> Void) { self.body = body }

    static func start(_ body: @escaping @Sendable () -> Void) -> PosixThread? {
        let runner = PosixThread(body)
        let context = Unmanaged.passRetained(runner).toOpaque()
        guard pthread_create(&runner.thread, nil, { context in
            let runner = Unmanaged<PosixThread>.fromOpaque(context!).takeRetainedValue()
            runner.body()
            return nil
        }, context) == 0 else {
            Unmanaged<PosixThread>.fromOpaque(context).release()
            return nil
        }
        return runner
    }

    func join() { pthread_join(thread, nil) }
}

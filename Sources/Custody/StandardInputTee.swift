import Basics
import Crypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Hashes standard input as the analysis reads it, so it is read once.
///
/// `start()` puts a pipe's read end in place of descriptor 0 (libpcap then reads
/// "-" from the pipe, unaware) and a thread copies the original standard input into
/// the pipe, counting and hashing every byte it reads. `finish()` closes descriptor
/// 0 (a copy blocked on a reader that stopped early, e.g. at damage, fails at once),
/// waits for the thread and gives the size and SHA-256 of the bytes read from the
/// original standard input: all of it when the analysis read to the end.
public final class StandardInputTee: @unchecked Sendable {
    private let source: Int32
    private let pipeWrite: Int32
    private var work: BackgroundWork<FileDigest>?

    private init(source: Int32, pipeWrite: Int32) {
        self.source = source
        self.pipeWrite = pipeWrite
    }

    /// Nil when the descriptors cannot be set up (the manifest then hashes nothing for "-").
    public static func start() -> StandardInputTee? {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { return nil }
        let original = dup(0)
        guard original >= 0, dup2(ends[0], 0) == 0 else {
            close(ends[0]); close(ends[1])
            if original >= 0 { close(original) }
            return nil
        }
        close(ends[0])
        _ = fcntl(original, F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        let tee = StandardInputTee(source: original, pipeWrite: ends[1])
        let source = original, destination = ends[1]
        tee.work = BackgroundWork { StandardInputTee.copy(from: source, to: destination) }
        return tee
    }

    private static func copy(from source: Int32, to destination: Int32) -> FileDigest {
        // A write to a pipe whose reader is gone must fail (EPIPE), not kill the process:
        // SIGPIPE is blocked on this thread only (pending there, dropped when it ends).
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &blocked, nil)
        var hasher = SHA256()
        var size: UInt64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Digests.chunk, alignment: 16)
        defer { buffer.deallocate() }
        var readerGone = false
        while true {
            let count = read(source, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            let bytes = UnsafeRawBufferPointer(rebasing: buffer[0..<count])
            hasher.update(bufferPointer: bytes)
            size += UInt64(count)
            if !readerGone, (try? FileIO.writeAll(destination, bytes)) == nil {
                // The analysis stopped reading: what was read so far is what it saw.
                readerGone = true
                break
            }
        }
        FileIO.close(destination)
        FileIO.close(source)
        return FileDigest(size: size, sha256: Digests.hex(hasher.finalize()))
    }

    /// Ends the copy and returns what was read from standard input.
    public func finish() -> FileDigest? {
        FileIO.close(0)
        return work?.join()
    }
}

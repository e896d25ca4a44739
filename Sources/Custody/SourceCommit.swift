#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The commit of the source checkout the running binary sits in.
///
/// SwiftPM has no build-time hook to stamp a commit into the binary, and a committed
/// generated file goes stale; so the commit is read at run time: from the binary's
/// folder upwards, the first `.git` (a folder, or a worktree's `gitdir:` file) is
/// followed to `HEAD`, then to the branch's ref file or `packed-refs` — plain file
/// reads, git is never run. A binary outside a checkout (installed, copied) gives nil
/// ("unknown" in the manifest). It names the checkout's HEAD at run time: a binary
/// built before later commits, or from uncommitted changes, is not told apart.
public enum SourceCommit {
    public static func find(executable: String) -> String? {
        var folder = executable
        for _ in 0..<16 {
            guard let slash = folder.lastIndex(of: "/") else { return nil }
            folder = String(folder[..<slash])
            let dotGit = (folder.isEmpty ? "" : folder) + "/.git"
            if let gitDir = gitDirectory(dotGit, in: folder.isEmpty ? "/" : folder) { return resolveHead(gitDir: gitDir) }
            if folder.isEmpty { return nil }
        }
        return nil
    }

    /// The git directory `.git` names: itself when a folder; the `gitdir:` target when a file.
    static func gitDirectory(_ dotGit: String, in folder: String) -> String? {
        var info = stat()
        guard stat(dotGit, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT == S_IFDIR { return dotGit }
        guard info.st_mode & S_IFMT == S_IFREG, let text = readSmall(dotGit), text.hasPrefix("gitdir:") else { return nil }
        let target = text.dropFirst("gitdir:".count).trimmed
        return target.hasPrefix("/") ? target : folder + "/" + target
    }

    /// HEAD as a commit id: detached (an id) or a symbolic ref looked up in the git
    /// directory, its common directory (worktrees) and `packed-refs`.
    static func resolveHead(gitDir: String) -> String? {
        guard let head = readSmall(gitDir + "/HEAD")?.trimmed else { return nil }
        if isObjectID(head) { return head }
        guard head.hasPrefix("ref:") else { return nil }
        let ref = head.dropFirst(4).trimmed
        guard !ref.contains(".."), ref.hasPrefix("refs/") else { return nil }
        var common = gitDir
        if let relative = readSmall(gitDir + "/commondir")?.trimmed, !relative.isEmpty {
            common = relative.hasPrefix("/") ? relative : gitDir + "/" + relative
        }
        for folder in [gitDir, common] {
            if let id = readSmall(folder + "/" + ref)?.trimmed, isObjectID(id) { return id }
        }
        guard let packed = readSmall(common + "/packed-refs", limit: 64 << 20) else { return nil }
        for line in packed.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1].trimmed == ref, isObjectID(String(parts[0])) { return String(parts[0]) }
        }
        return nil
    }

    /// SHA-1 (40) or SHA-256 (64) hex digits.
    static func isObjectID(_ text: String) -> Bool {
        (text.utf8.count == 40 || text.utf8.count == 64) && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func readSmall(_ path: String, limit: Int = 1 << 16) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count <= limit {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        guard bytes.count <= limit else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}

extension StringProtocol {
    var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}

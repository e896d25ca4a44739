import Custody
import Dispatch

/// SHA-256 of files computed on another thread, in order, while the caller works
/// (the analysis reads the same files: the hashing reads them from the page cache
/// on the second core). `wait()` returns the results once all are done.
/// `@unchecked Sendable`: `results` is written only by the hashing block and read
/// only after `group.wait()`.
final class BackgroundDigests: @unchecked Sendable {
    private let paths: [String]
    private var results: [Result<FileDigest, CustodyError>] = []
    private let group = DispatchGroup()

    init(paths: [String]) {
        self.paths = paths
        guard !paths.isEmpty else { return }
        DispatchQueue.global(qos: .userInitiated).async(group: group) {
            self.results = self.paths.map(Digests.file)
        }
    }

    /// Each path with its digest or the error of hashing it.
    func wait() -> [(path: String, result: Result<FileDigest, CustodyError>)] {
        group.wait()
        return Array(zip(paths, results))
    }
}

import Foundation

/// Where the tests find the package, the built `cipherscope` and the captures.
public enum TestPaths {
    /// The `cipherscope` binary `swift test` built beside the test bundle.
    public static let binary: URL = {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("cipherscope")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cipherscope")
    }()

    public static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Captures/*.pcap, sorted.
    public static let bundledCaptures: [String] = {
        let folder = packageRoot.appendingPathComponent("Captures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") }.sorted().map { folder.appendingPathComponent($0).path }
    }()

    /// The peer captures in ../shared/captures/ndpi, or nil where that folder is absent.
    public static let peerCaptures: [String]? = {
        let folder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return nil }
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { folder.appendingPathComponent($0).path }
    }()
}

import Foundation
import TestSupport

/// Runs the `cipherscope` binary that `swift test` built beside the test bundle.
enum Runner {
    static let binary: URL = {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        // The test runner may be inside a bundle folder; walk up to the build folder.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("cipherscope")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("cipherscope")
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let labCapture = packageRoot.appendingPathComponent("Captures/lab-basic.pcap")
    static let peerCaptures: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
        /// The JSON Lines output, parsed.
        var flows: [[String: Any]] {
            lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
    }

    static func run(_ arguments: [String], stdin: Data? = nil, executable: URL = binary) throws -> Result {
        let output = try ChildProcess.run(executable, arguments, stdin: stdin)
        return Result(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }

    /// A fresh scratch folder under the system's temporary folder.
    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscope-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// Classic pcap records, for cutting and damaging captures in tests.
struct ClassicPcap {
    var header: Data
    var records: [Data]

    init(_ data: Data) throws {
        guard data.count >= 24, data.prefix(4) == Data([0xD4, 0xC3, 0xB2, 0xA1]) else { throw CocoaError(.fileReadCorruptFile) }
        header = data.prefix(24)
        records = []
        var offset = 24
        let bytes = [UInt8](data)
        while offset + 16 <= bytes.count {
            let caplen = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
            records.append(Data(bytes[offset..<offset + 16 + caplen]))
            offset += 16 + caplen
        }
    }

    func file(_ slice: some Sequence<Data>) -> Data {
        var data = header
        for record in slice { data += record }
        return data
    }

    /// Byte offset of record `index` in the whole file.
    func offset(of index: Int) -> Int { 24 + records.prefix(index).reduce(0) { $0 + $1.count } }
}

extension Runner {
    /// The sanitizer `Scripts/sanitize.sh` built everything with (`address`, `thread`), or nil.
    static let sanitizer: String? = ProcessInfo.processInfo.environment["CIPHERSCOPE_SANITIZER"].flatMap { $0.isEmpty ? nil : $0 }

    /// The first `python3` on the PATH, or nil.
    static let python3: URL? = tool("python3")

    /// An executable named `name` on the PATH, or nil.
    static func tool(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// Runs another program (a script, a helper tool) to its end.
    static func runTool(_ executable: URL, _ arguments: [String]) throws -> Result {
        try run(arguments, executable: executable)
    }
}

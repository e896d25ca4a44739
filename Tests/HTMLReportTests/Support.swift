import Foundation
import TestSupport
import Testing

/// Runs the built `cipherscope`, Chromium and small tools for the report tests.
enum Tools {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let captures = packageRoot.appendingPathComponent("Captures")
    static let hostileCapture = captures.appendingPathComponent("crafted/hostile-sni.pcap")
    static let peerCaptures: URL? = {
        let url = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures/ndpi")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }()

    /// The bundled lab captures (Captures/*.pcap).
    static var labCaptures: [URL] {
        ((try? FileManager.default.contentsOfDirectory(atPath: captures.path)) ?? [])
            .filter { $0.hasSuffix(".pcap") }.sorted().map { captures.appendingPathComponent($0) }
    }

    static let binary: URL = TestPaths.binary

    /// Headless Chromium, or nil (the browser tests are then skipped, saying so).
    static let chromium: URL? = tool("chromium") ?? tool("chromium-browser")
    static let python3: URL? = tool("python3")

    static func tool(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], executable: URL = binary) throws -> Result {
        let output = try ChildProcess.run(executable, arguments)
        return Result(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscope-report-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// `cipherscope report ARGUMENTS -o scratch/NAME`, expected to succeed; the HTML file.
    static func report(_ arguments: [String], in scratch: URL, name: String = "report.html") throws -> URL {
        let output = scratch.appendingPathComponent(name)
        let result = try run(["report"] + arguments + ["-o", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        return output
    }

    /// The DOM after the page loaded, as Chromium serialises it.
    static func dom(_ html: URL) throws -> String {
        let browser = try #require(chromium)
        let result = try run(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", html.absoluteString], executable: browser)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    /// `sha256sum` of a file (the coreutils tool, not the code under test).
    static func sha256sum(_ url: URL) throws -> String {
        let result = try run([url.path], executable: URL(fileURLWithPath: "/usr/bin/sha256sum"))
        return String(result.stdout.prefix(64))
    }

    /// The first text of each element whose class attribute is exactly `name`, in document order
    /// (as serialised: entities stay escaped).
    static func texts(_ dom: String, class name: String) -> [String] {
        dom.components(separatedBy: "class=\"\(name)\"").dropFirst().map { part in
            String(part.drop { $0 != ">" }.dropFirst().prefix { $0 != "<" })
        }
    }
}

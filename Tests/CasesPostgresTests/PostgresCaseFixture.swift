import Foundation
import TestSupport
import XCTest

/// One PostgreSQL server per test class (started on first use, stopped in the
/// class's tearDown), a fresh database per test, and the built `cipherscope`.
enum PostgresCaseFixture {
    nonisolated(unsafe) private static var server: PostgresServer?
    private static let lock = NSLock()

    /// The running server, or an XCTSkip naming why there is none.
    static func shared() throws -> PostgresServer {
        if let reason = PostgresServer.unavailableReason { throw XCTSkip(reason) }
        lock.lock()
        defer { lock.unlock() }
        if let server { return server }
        let started = try PostgresServer()
        server = started
        return started
    }

    static func stop() {
        lock.lock()
        defer { lock.unlock() }
        server?.stop()
        server = nil
    }

    /// A new empty database on the shared server; returns its case URL.
    static func newDatabase(_ server: PostgresServer) throws -> String {
        let name = "case_" + UUID().uuidString.prefix(8).lowercased()
        try server.psql("CREATE DATABASE \(name)")
        return "postgresql://\(server.user)@127.0.0.1:\(server.port)/\(name)"
    }

    /// psql against one database of the server (by the case URL's last part).
    @discardableResult
    static func sql(_ server: PostgresServer, _ url: String, _ statement: String) throws -> [String] {
        let output = try server.psql(statement, database: String(url.split(separator: "/").last!))
        return output.split(separator: "\n").map(String.init)
    }
}

/// Runs the `cipherscope` binary `swift test` built.
enum Binary {
    static let url = TestPaths.binary
    static let packageRoot = TestPaths.packageRoot
    static let bundledCaptures = TestPaths.bundledCaptures
    static let peerCaptures = TestPaths.peerCaptures

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    /// Starts the binary without waiting (its output goes to `log`).
    static func start(_ arguments: [String], environment: [String: String] = [:], log: URL) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> Result {
        let output = try ChildProcess.run(url, arguments, in: packageRoot)
        return Result(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }

    static func analyze(_ paths: [String]) throws -> [String] {
        let result = try run(["analyze", "--format", "jsonl", "-q"] + paths)
        XCTAssert(result.status == 0 || result.status == 2, result.stderr)
        return result.lines
    }

    static func query(_ location: String, _ filters: [String] = []) throws -> [String] {
        let result = try run(["case", "query", location, "--format", "jsonl"] + filters)
        XCTAssertEqual(result.status, 0, result.stderr)
        return result.lines
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscope-pgcases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

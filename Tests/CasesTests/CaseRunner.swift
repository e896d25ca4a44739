import Foundation
import TestSupport

/// Runs the built `cipherscope` binary (as CLITests does) and makes scratch folders.
enum CaseRunner {
    static let binary = TestPaths.binary
    static let packageRoot = TestPaths.packageRoot
    static let bundledCaptures = TestPaths.bundledCaptures
    static let peerCaptures = TestPaths.peerCaptures

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    @discardableResult
    static func run(_ arguments: [String]) throws -> Result {
        let output = try ChildProcess.run(binary, arguments, in: packageRoot)
        return Result(status: output.status, stdout: output.stdout, stderr: output.stderr)
    }

    static func scratch() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cipherscope-cases-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// A classic pcap made of `copies` copies of `source`'s records, each copy's times
    /// moved `step` seconds later than the one before (so every copy's flows are new
    /// flows): a bigger real capture from a small one.
    static func repeated(_ source: String, copies: Int, step: UInt32 = 3_600) throws -> Data {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
        precondition(bytes.count >= 24 && bytes[0] == 0xD4 && bytes[1] == 0xC3, "a little-endian classic pcap")
        var records: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
            guard offset + 16 + length <= bytes.count else { break }
            records.append(Array(bytes[offset..<offset + 16 + length]))
            offset += 16 + length
        }
        var out = Data(bytes[0..<24])
        out.reserveCapacity(24 + copies * (bytes.count - 24))
        for copy in 0..<copies {
            for var record in records {
                let seconds = UInt32(record[0]) | UInt32(record[1]) << 8 | UInt32(record[2]) << 16 | UInt32(record[3]) << 24
                let moved = seconds &+ UInt32(copy) &* step
                record[0] = UInt8(truncatingIfNeeded: moved)
                record[1] = UInt8(truncatingIfNeeded: moved >> 8)
                record[2] = UInt8(truncatingIfNeeded: moved >> 16)
                record[3] = UInt8(truncatingIfNeeded: moved >> 24)
                out.append(contentsOf: record)
            }
        }
        return out
    }
}

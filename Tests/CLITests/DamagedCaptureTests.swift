import Foundation
import Testing

/// Truncated, bit-flipped and spliced copies of the peer captures (deterministic
/// seeds): every one is read without a crash, with the documented error and exit
/// status, and everything before the damage is still reported.
@Suite(.enabled(if: Runner.peerCaptures != nil, "../shared/captures/ndpi is absent: damaged-capture tests skipped"))
struct DamagedCaptureTests {
    static let captures: [URL] = {
        guard let folder = Runner.peerCaptures,
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { folder.appendingPathComponent($0) }
    }()

    /// A small deterministic generator, so a failure reproduces.
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(max(bound, 1)))
        }
    }

    func run(_ data: Data, name: String, in folder: URL) throws -> (Runner.Result, [String: Any]) {
        let file = folder.appendingPathComponent(name)
        try data.write(to: file)
        let stats = folder.appendingPathComponent(name + ".stats.json")
        let result = try Runner.run(["analyze", "--format", "jsonl", "--no-rules", "--stats", stats.path, "--force", file.path])
        // A crash would end the process by a signal (status above 128 from the shell's view).
        #expect(result.status == 0 || result.status == 2, "\(name): status \(result.status) \(result.stderr)")
        let summary = (try? JSONSerialization.jsonObject(with: Data(contentsOf: stats))) as? [String: Any] ?? [:]
        return (result, summary)
    }

    /// One damaged copy: its file name, bytes, the original and (truncated copies) the cut.
    struct Damaged {
        var name: String
        var data: Data
        var original: Data
        var cut: Int?
    }

    // The three damage kinds, with fixed seeds. `Scripts/make-damaged.py` writes the
    // same files (same generator, seeds and order); `scriptWritesTheSameCopies` checks it.

    static func truncatedCopies(_ captures: [URL]) throws -> [Damaged] {
        var random = Generator(state: 2026_11_30)
        return try captures.map { capture in
            let data = try Data(contentsOf: capture)
            let cut = 24 + random.next(max(data.count - 24, 1))
            return Damaged(name: "cut-" + capture.lastPathComponent, data: data.prefix(cut), original: data, cut: cut)
        }
    }

    static func bitFlippedCopies(_ captures: [URL]) throws -> [Damaged] {
        var random = Generator(state: 42)
        return try captures.compactMap { capture in
            let data = try Data(contentsOf: capture)
            var bytes = [UInt8](data)
            guard bytes.count > 64 else { return nil }
            for _ in 0..<24 {
                let index = 32 + random.next(bytes.count - 32)
                bytes[index] ^= UInt8(1 << random.next(8))
            }
            return Damaged(name: "flip-" + capture.lastPathComponent, data: Data(bytes), original: data)
        }
    }

    static func splicedCopies(_ captures: [URL]) throws -> [Damaged] {
        var random = Generator(state: 7)
        return try captures.enumerated().map { index, capture in
            let head = try Data(contentsOf: capture)
            let tail = try Data(contentsOf: captures[(index + 1) % captures.count])
            let cut = 24 + random.next(max(head.count - 24, 1))
            let start = random.next(tail.count)
            return Damaged(name: "splice-" + capture.lastPathComponent, data: head.prefix(cut) + tail.suffix(from: tail.startIndex + start), original: head)
        }
    }

    /// Runs a truncated copy and checks the documented error and that every whole
    /// record before the cut was read and accounted for (classic pcap).
    func checkTruncated(_ copy: Damaged, in folder: URL) throws {
        let (result, summary) = try run(copy.data, name: copy.name, in: folder)
        if result.status == 2 { #expect(result.stderr.contains(copy.name), "\(result.stderr)") }
        guard let cut = copy.cut, let classic = try? ClassicPcap(copy.original) else { return }
        // Classic pcap opens (its 24-byte header is whole), so the error is a read
        // error with the frame and byte offset of the cut record.
        if result.status == 2 {
            #expect(result.stderr.contains("byte offset"), "\(result.stderr)")
        }
        var whole = 0, offset = 24
        for record in classic.records {
            guard offset + record.count <= cut else { break }
            whole += 1
            offset += record.count
        }
        #expect(summary["packets"] as? Int == whole, "\(copy.name) cut at \(cut)")
        let accounted = (summary["flow_packets"] as? Int ?? -1) + (summary["non_ip_packets"] as? Int ?? 0) + (summary["undecodable_packets"] as? Int ?? 0)
        #expect(accounted == whole)
    }

    @Test func truncatedCopiesReportEverythingBeforeTheCut() throws {
        let folder = try Runner.scratch()
        for copy in try Self.truncatedCopies(Self.captures) { try checkTruncated(copy, in: folder) }
    }

    @Test func bitFlippedCopiesNeverCrash() throws {
        let folder = try Runner.scratch()
        for copy in try Self.bitFlippedCopies(Self.captures) { _ = try run(copy.data, name: copy.name, in: folder) }
    }

    @Test func splicedCopiesNeverCrash() throws {
        let folder = try Runner.scratch()
        for copy in try Self.splicedCopies(Self.captures) { _ = try run(copy.data, name: copy.name, in: folder) }
    }
}

/// `Scripts/make-damaged.py` on the bundled lab captures (no ../shared needed): it
/// writes exactly the copies the tests above make in memory, and cipherscope reads
/// each one with status 0 or 2, the documented error, and the flows before the damage.
@Suite(.enabled(if: Runner.python3 != nil, "python3 not found: damaged-capture script test skipped"))
struct DamagedCaptureScriptTests {
    static let labCaptures: [URL] = {
        let folder = Runner.packageRoot.appendingPathComponent("Captures")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { folder.appendingPathComponent($0) }
    }()

    @Test func scriptWritesTheSameCopies() throws {
        let captures = Self.labCaptures
        try #require(captures.count >= 2)
        let folder = try Runner.scratch()
        let out = folder.appendingPathComponent("damaged")
        let script = try Runner.runTool(Runner.python3!, [Runner.packageRoot.appendingPathComponent("Scripts/make-damaged.py").path] + captures.map(\.path) + [out.path])
        #expect(script.status == 0, "\(script.stderr)")
        let expected = try DamagedCaptureTests.truncatedCopies(captures) + DamagedCaptureTests.bitFlippedCopies(captures) + DamagedCaptureTests.splicedCopies(captures)
        let written = try FileManager.default.contentsOfDirectory(atPath: out.path).sorted()
        #expect(written == expected.map(\.name).sorted())
        let tests = DamagedCaptureTests()
        for copy in expected {
            let file = out.appendingPathComponent(copy.name)
            #expect((try? Data(contentsOf: file)) == copy.data, "\(copy.name) differs from the in-process copy")
            // The script's file itself, as a user would run it.
            if copy.cut != nil {
                try tests.checkTruncated(copy, in: folder)
            } else {
                let result = try Runner.run(["analyze", "--format", "jsonl", "--no-rules", file.path])
                #expect(result.status == 0 || result.status == 2, "\(copy.name): status \(result.status) \(result.stderr)")
                if result.status == 2 { #expect(result.stderr.contains(copy.name), "\(result.stderr)") }
            }
        }
    }
}

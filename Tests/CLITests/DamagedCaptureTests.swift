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

    @Test func truncatedCopiesReportEverythingBeforeTheCut() throws {
        let folder = try Runner.scratch()
        var random = Generator(state: 2026_11_30)
        for capture in Self.captures {
            let data = try Data(contentsOf: capture)
            let cut = 24 + random.next(max(data.count - 24, 1))
            let (result, summary) = try run(data.prefix(cut), name: "cut-" + capture.lastPathComponent, in: folder)
            if result.status == 2 {
                #expect(result.stderr.contains("cut-" + capture.lastPathComponent), "\(result.stderr)")
            }
            // Classic pcap: every whole record before the cut is read and accounted for.
            if let classic = try? ClassicPcap(data) {
                var whole = 0, offset = 24
                for record in classic.records {
                    guard offset + record.count <= cut else { break }
                    whole += 1
                    offset += record.count
                }
                #expect(summary["packets"] as? Int == whole, "\(capture.lastPathComponent) cut at \(cut)")
                let accounted = (summary["flow_packets"] as? Int ?? -1) + (summary["non_ip_packets"] as? Int ?? 0) + (summary["undecodable_packets"] as? Int ?? 0)
                #expect(accounted == whole)
            }
        }
    }

    @Test func bitFlippedCopiesNeverCrash() throws {
        let folder = try Runner.scratch()
        var random = Generator(state: 42)
        for capture in Self.captures {
            var bytes = [UInt8](try Data(contentsOf: capture))
            guard bytes.count > 64 else { continue }
            for _ in 0..<24 { bytes[32 + random.next(bytes.count - 32)] ^= UInt8(1 << random.next(8)) }
            _ = try run(Data(bytes), name: "flip-" + capture.lastPathComponent, in: folder)
        }
    }

    @Test func splicedCopiesNeverCrash() throws {
        let folder = try Runner.scratch()
        var random = Generator(state: 7)
        let all = Self.captures
        for (index, capture) in all.enumerated() {
            let head = try Data(contentsOf: capture)
            let tail = try Data(contentsOf: all[(index + 1) % all.count])
            let spliced = head.prefix(24 + random.next(max(head.count - 24, 1))) + tail.suffix(from: tail.startIndex + random.next(tail.count))
            _ = try run(spliced, name: "splice-" + capture.lastPathComponent, in: folder)
        }
    }
}

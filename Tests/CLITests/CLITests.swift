import Foundation
import Testing

/// The `cipherscope analyze` command as a user runs it.
struct AnalyzeCommandTests {
    let requiredKeys = [
        "flow_id", "community_id", "proto", "src_ip", "src_port", "dst_ip", "dst_port", "first_seen", "last_seen",
        "duration", "packets_c2s", "packets_s2c", "bytes_c2s", "bytes_s2c", "payload_c2s", "payload_s2c",
        "end_reason", "source_file", "first_frame",
    ]

    @Test func jsonLinesCarryTheContractKeys() throws {
        let result = try Runner.run(["analyze", "--format", "jsonl", Runner.labCapture.path])
        #expect(result.status == 0, "\(result.stderr)")
        let flows = result.flows
        #expect(flows.count == result.lines.count && flows.count >= 8)
        for flow in flows {
            for key in requiredKeys { #expect(flow[key] != nil, "missing \(key)") }
            #expect(flow["first_offset"] is Int, "missing first_offset (a file has offsets)")
            #expect((flow["community_id"] as? String)?.hasPrefix("1:") == true)
            #expect(["fin", "rst", "idle", "active", "eof", "evicted", "interrupted"].contains(flow["end_reason"] as? String ?? ""))
            #expect((flow["first_seen"] as? String)?.hasSuffix("Z") == true)
        }
        #expect(Set(flows.compactMap { $0["proto"] as? String }) == ["tcp", "udp", "icmp"])
        #expect(flows.contains { $0["end_reason"] as? String == "fin" })
        #expect(flows.contains { $0["end_reason"] as? String == "rst" })
        #expect(result.stderr.contains("packets"))
    }

    @Test func threadsGiveTheSameLinesAndBadCountsAreUsageErrors() throws {
        let captures = ["lab-basic.pcap", "lab-quic.pcap", "lab-ssh.pcap", "lab-mtproto.pcap", "lab-tls-keyshare.pcap"]
            .map { Runner.packageRoot.appendingPathComponent("Captures/\($0)").path }
        let single = try Runner.run(["analyze", "--format", "jsonl", "-q"] + captures)
        #expect(single.status == 0, "\(single.stderr)")
        #expect(single.lines.count >= 15)
        for threads in ["2", "4"] {
            let sharded = try Runner.run(["analyze", "--format", "jsonl", "-q", "--threads", threads] + captures)
            #expect(sharded.status == 0, "\(sharded.stderr)")
            #expect(sharded.stdout == single.stdout, "--threads \(threads) changed the output")
        }
        for bad in ["0", "65", "x"] {
            let result = try Runner.run(["analyze", "--threads", bad, Runner.labCapture.path])
            #expect(result.status == 1, "--threads \(bad)")
        }
    }

    @Test func csvHasTheFlatKeysAndTableFitsATerminal() throws {
        let csv = try Runner.run(["analyze", "--format", "csv", Runner.labCapture.path])
        #expect(csv.status == 0)
        let header = csv.lines.first ?? ""
        for key in requiredKeys { #expect(header.split(separator: ",").contains(Substring(key))) }
        #expect(csv.lines.count == 9)
        let table = try Runner.run(["analyze", "--format", "table", "-q", Runner.labCapture.path])
        #expect(table.status == 0)
        for line in table.lines { #expect(line.count <= 100, "\(line)") }
        #expect(table.stdout.contains("127.0.0.1:8443"))
    }

    @Test func usageErrorsExitWithOne() throws {
        #expect(try Runner.run(["analyze"]).status == 1)
        #expect(try Runner.run(["analyze", "--bogus", Runner.labCapture.path]).status == 1)
        let badFilter = try Runner.run(["analyze", "--filter", "tcp port nonsense", Runner.labCapture.path])
        #expect(badFilter.status == 1)
        #expect(badFilter.stderr.contains("filter"))
        #expect(try Runner.run(["analyze", "--idle-timeout", "xyz=5", Runner.labCapture.path]).status == 1)
    }

    @Test func unreadableInputsExitWithTwoAndTheRestIsStillReported() throws {
        let scratch = try Runner.scratch()
        let notCapture = scratch.appendingPathComponent("notes.pcap")
        try Data("these are not packets\n".utf8).write(to: notCapture)
        let missing = scratch.appendingPathComponent("missing.pcap").path
        let result = try Runner.run(["analyze", "--format", "jsonl", missing, notCapture.path, Runner.labCapture.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("missing.pcap: no such file or directory"))
        #expect(result.stderr.contains("notes.pcap") && result.stderr.contains("not a pcap or pcapng capture"))
        #expect(result.flows.count >= 8)
    }

    @Test func truncatedCaptureReportsFileFrameAndOffsetAndKeepsEarlierFlows() throws {
        let capture = try ClassicPcap(Data(contentsOf: Runner.labCapture))
        let scratch = try Runner.scratch()
        // Cut in the middle of record 31's data.
        let cutRecord = 30
        var data = capture.file(capture.records.prefix(cutRecord))
        data += capture.records[cutRecord].prefix(20)
        let truncated = scratch.appendingPathComponent("cut.pcap")
        try data.write(to: truncated)
        let result = try Runner.run(["analyze", "--format", "jsonl", truncated.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("cut.pcap: frame \(cutRecord + 1), byte offset \(capture.offset(of: cutRecord))"), "\(result.stderr)")
        let packets = result.flows.reduce(0) { $0 + ($1["packets_c2s"] as! Int) + ($1["packets_s2c"] as! Int) }
        #expect(packets == cutRecord)
    }

    @Test func absurdRecordLengthIsAnErrorNotACrash() throws {
        let capture = try ClassicPcap(Data(contentsOf: Runner.labCapture))
        let scratch = try Runner.scratch()
        var damaged = capture.records
        var record = [UInt8](damaged[10])
        record[8] = 0xFF; record[9] = 0xFF; record[10] = 0xFF; record[11] = 0x7F  // caplen 2 GiB
        damaged[10] = Data(record)
        let url = scratch.appendingPathComponent("flipped.pcap")
        try capture.file(damaged).write(to: url)
        let result = try Runner.run(["analyze", "--format", "jsonl", url.path, Runner.labCapture.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("flipped.pcap: frame 11, byte offset \(capture.offset(of: 10))"), "\(result.stderr)")
        // The later file is still read whole.
        #expect(result.stdout.contains("lab-basic.pcap"))
    }

    @Test func pcapngBlockWithBadLengthIsReported() throws {
        let scratch = try Runner.scratch()
        // Section header + Ethernet interface + one packet block whose length is absurd.
        var bytes: [UInt8] = []
        func u32(_ v: UInt32) { bytes += withUnsafeBytes(of: v.littleEndian, Array.init) }
        func u16(_ v: UInt16) { bytes += withUnsafeBytes(of: v.littleEndian, Array.init) }
        u32(0x0A0D0D0A); u32(28); u32(0x1A2B3C4D); u16(1); u16(0); u32(0xFFFF_FFFF); u32(0xFFFF_FFFF); u32(28)
        u32(1); u32(20); u16(1); u16(0); u32(262_144); u32(20)
        u32(6); u32(0x7FFF_FFF0); u32(0); u32(0); u32(0); u32(64); u32(64)
        let url = scratch.appendingPathComponent("bad.pcapng")
        try Data(bytes).write(to: url)
        let result = try Runner.run(["analyze", "--format", "jsonl", url.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.pcapng: frame 1"), "\(result.stderr)")
    }

    @Test func directoryIsReadInNameOrderAndFlowsContinueAcrossFiles() throws {
        let capture = try ClassicPcap(Data(contentsOf: Runner.labCapture))
        let scratch = try Runner.scratch()
        let half = capture.records.count / 2
        try capture.file(capture.records[half...]).write(to: scratch.appendingPathComponent("delivery-002.pcap"))
        try capture.file(capture.records[..<half]).write(to: scratch.appendingPathComponent("delivery-001.pcap"))
        try Data("<xml/>".utf8).write(to: scratch.appendingPathComponent("delivery.xml"))
        let whole = try Runner.run(["analyze", "--format", "jsonl", Runner.labCapture.path])
        let split = try Runner.run(["analyze", "--format", "jsonl", scratch.path])
        #expect(split.status == 0, "\(split.stderr)")
        #expect(split.stderr.contains("skipping") && split.stderr.contains("delivery.xml"))
        func key(_ flow: [String: Any]) -> String {
            "\(flow["proto"]!) \(flow["src_ip"]!):\(flow["src_port"]!) \(flow["dst_ip"]!):\(flow["dst_port"]!) \(flow["packets_c2s"]!)/\(flow["packets_s2c"]!)"
        }
        #expect(Set(split.flows.map(key)) == Set(whole.flows.map(key)))
        // Flows starting in the second file name it and count frames from its start.
        let second = split.flows.filter { ($0["source_file"] as? String)?.hasSuffix("delivery-002.pcap") == true }
        for flow in second { #expect((flow["first_frame"] as! Int) <= capture.records.count - half) }
    }

    @Test func standardInputGivesTheSameFlows() throws {
        let data = try Data(contentsOf: Runner.labCapture)
        let fromFile = try Runner.run(["analyze", "--format", "jsonl", Runner.labCapture.path])
        let fromPipe = try Runner.run(["analyze", "--format", "jsonl", "-"], stdin: data)
        #expect(fromPipe.status == 0, "\(fromPipe.stderr)")
        #expect(fromPipe.flows.map { $0["community_id"] as! String } == fromFile.flows.map { $0["community_id"] as! String })
        #expect(fromPipe.flows.allSatisfy { $0["source_file"] as? String == "-" })
    }

    @Test func filterKeepsWiresharkFrameNumbers() throws {
        let all = try Runner.run(["analyze", "--format", "jsonl", Runner.labCapture.path])
        let udp = try Runner.run(["analyze", "--format", "jsonl", "--filter", "udp", Runner.labCapture.path])
        #expect(udp.status == 0)
        #expect(!udp.flows.isEmpty && udp.flows.allSatisfy { $0["proto"] as? String == "udp" })
        let frames = Dictionary(uniqueKeysWithValues: all.flows.map { ($0["community_id"] as! String, $0["first_frame"] as! Int) })
        for flow in udp.flows { #expect(frames[flow["community_id"] as! String] == flow["first_frame"] as? Int) }
    }

    @Test func outputFileIsPrivateAndNeverSilentlyReplaced() throws {
        let scratch = try Runner.scratch()
        let output = scratch.appendingPathComponent("flows.jsonl")
        let first = try Runner.run(["analyze", "--format", "jsonl", "-o", output.path, Runner.labCapture.path])
        #expect(first.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: output.path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").count >= 8)
        let again = try Runner.run(["analyze", "--format", "jsonl", "-o", output.path, Runner.labCapture.path])
        #expect(again.status == 1)
        #expect(again.stderr.contains("--force"))
        let forced = try Runner.run(["analyze", "--format", "jsonl", "--force", "-o", output.path, Runner.labCapture.path])
        #expect(forced.status == 0)
        // No temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.path) == ["flows.jsonl"])
        let stats = scratch.appendingPathComponent("stats.json")
        _ = try Runner.run(["analyze", "--format", "jsonl", "-o", "/dev/null", "--stats", stats.path, Runner.labCapture.path])
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: stats)) as! [String: Any]
        #expect(summary["packets"] as? Int == (summary["flow_packets"] as! Int) + (summary["non_ip_packets"] as! Int) + (summary["undecodable_packets"] as! Int))
    }

    @Test func maxFlowsEvictsAndSaysSo() throws {
        let result = try Runner.run(["analyze", "--format", "jsonl", "--max-flows", "2", Runner.labCapture.path])
        #expect(result.status == 0)
        #expect(result.flows.count == 8)
        #expect(result.flows.filter { $0["end_reason"] as? String == "evicted" }.count >= 5)
        #expect(result.stderr.contains("flow table full"))
    }

    /// SIGINT in the middle of a stream: every flow seen so far is reported as interrupted.
    @Test func interruptFlushesOpenFlows() throws {
        let capture = try ClassicPcap(Data(contentsOf: Runner.labCapture))
        let process = Process()
        process.executableURL = Runner.binary
        process.arguments = ["analyze", "--format", "jsonl", "-"]
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Half the capture, then keep the pipe open as a live feed would.
        try input.fileHandleForWriting.write(contentsOf: capture.file(capture.records.prefix(25)))
        // Interrupt once the process has read all of it and waits on the pipe for more
        // (the pipe is empty and its main thread sleeps in a pipe read), not after a guess.
        waitUntilBlockedReading(process, pipe: input)
        process.interrupt()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        let flows = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(process.terminationStatus == 130)
        #expect(!flows.isEmpty)
        #expect(flows.contains { $0["end_reason"] as? String == "interrupted" })
        let packets = flows.reduce(0) { $0 + ($1["packets_c2s"] as! Int) + ($1["packets_s2c"] as! Int) }
        #expect(packets == 25)
    }

    /// Polls (bounded, 120 s) until `pipe` holds no unread bytes and `process`'s main
    /// thread is asleep in a pipe read; where /proc has no wchan, waits a fixed 2 s.
    func waitUntilBlockedReading(_ process: Process, pipe: Pipe) {
        let pid = process.processIdentifier
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline {
            // The parent keeps only the write end; FIONREAD on it counts the pipe's bytes.
            var unread: Int32 = 0
            let counted = ioctl(pipe.fileHandleForWriting.fileDescriptor, UInt(FIONREAD), &unread) == 0
            // /proc files report size 0: read to the end rather than by size. "0" = running.
            guard let wchan = FileHandle(forReadingAtPath: "/proc/\(pid)/task/\(pid)/wchan")
                .map({ String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) }), !wchan.isEmpty, counted else {
                Thread.sleep(forTimeInterval: 2)
                return
            }
            if unread == 0 && wchan.contains("pipe") { return }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}

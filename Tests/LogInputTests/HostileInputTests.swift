#if canImport(Glibc)
import Glibc
#endif
import Classifier
import Decoding
import Flows
import Inspection
import LogInput
import Reports
import Rules
import Testing

/// Logs from other organisations: damaged lines are reported as FILE:LINE and
/// skipped, everything valid is still used, memory stays bounded.
@Suite struct HostileInputTests {
    static func lines(_ path: String) -> [[UInt8]] {
        readFile(path).split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init).filter { !$0.isEmpty }
    }

    static func joined(_ lines: [[UInt8]], finalNewline: Bool = true) -> [UInt8] {
        var out: [UInt8] = []
        for (index, line) in lines.enumerated() {
            out += line
            if finalNewline || index < lines.count - 1 { out.append(0x0A) }
        }
        return out
    }

    static func platforms(_ run: Run) -> [String: String] {
        Dictionary(run.reports.map { ($0.fiveTuple, $0.classification?.platform ?? "-") }, uniquingKeysWith: { a, _ in a })
    }

    @Test func garbageLinesInTheMiddleOfEVE() throws {
        let folder = scratchFolder()
        defer { removeTree(folder) }
        let clean = try classify(.eve, [logsFolder + "/lab-basic/eve.json"])
        var lines = HostileInputTests.lines(logsFolder + "/lab-basic/eve.json")
        let bad: [[UInt8]] = [
            Array("garbage, not JSON".utf8),
            Array("{\"event_type\":\"flow\",\"flow_id\":12".utf8),  // truncated
            [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D],  // {"a":"\xff\xfe"}: not UTF-8
            [UInt8](repeating: UInt8(ascii: "x"), count: 20_000),  // over the line limit
            Array("[1,2,3]".utf8),
            Array(String(repeating: "[", count: 200).utf8) + Array(String(repeating: "]", count: 200).utf8),
            Array("{\"event_type\":\"flow\",\"flow_id\":7,\"proto\":\"TCP\",\"src_ip\":\"999.1.1.1\",\"dest_ip\":\"10.0.0.1\",\"flow\":{}}".utf8),
            Array("{\"event_type\":\"tls\"}".utf8),
            Array("{\"event_type\":\"alert\",\"flow_id\":5,\"future_field\":{\"x\":[1,2]}}".utf8),  // unknown: skipped silently
        ]
        lines.insert(contentsOf: bad, at: 3)
        let path = folder + "/eve.json"
        writeFile(path, HostileInputTests.joined(lines))
        let run = try classify(.eve, [path], maximumLineLength: 16_384)
        let places = run.errors.map { "\($0.file):\($0.line)" }
        #expect(places == (4...11).map { "\(path):\($0)" }, "\(run.errors)")
        #expect(run.errors[0].description.hasPrefix("\(path):4: not JSON"))
        #expect(run.errors[1].description.contains("truncated"))
        #expect(run.errors[2].description.contains("UTF-8"))
        #expect(run.errors[3].description.contains("longer than 16384"))
        #expect(run.errors[4].description.contains("not a JSON object"))
        #expect(run.errors[5].description.contains("nesting"))
        #expect(run.errors[6].description.contains("src_ip"))
        #expect(run.errors[7].description.contains("flow_id"))
        #expect(run.summary.inputErrors.count == 8)
        #expect(run.reports.count == clean.reports.count)
        #expect(HostileInputTests.platforms(run) == HostileInputTests.platforms(clean))
    }

    @Test func truncatedLastLine() throws {
        let folder = scratchFolder()
        defer { removeTree(folder) }
        var lines = HostileInputTests.lines(logsFolder + "/lab-basic/eve.json")
        let last = lines.removeLast()
        lines.append(Array(last.prefix(last.count / 2)))
        let path = folder + "/eve.json"
        writeFile(path, HostileInputTests.joined(lines, finalNewline: false))
        let run = try classify(.eve, [path])
        #expect(run.errors.count == 1)
        #expect(run.errors.first?.line == lines.count)
        #expect(run.errors.first?.description.contains("not JSON") == true)
        #expect(run.reports.count == 7)  // the cut flow record is lost, its tls/dns events are counted unjoined
    }

    @Test func zeekTSVWithoutFieldsHeader() throws {
        let folder = scratchFolder()
        defer { removeTree(folder) }
        let lines = HostileInputTests.lines(logsFolder + "/lab-basic/zeek/tsv/conn.log")
            .filter { !$0.starts(with: Array("#fields".utf8)) }
        writeFile(folder + "/conn.log", HostileInputTests.joined(lines))
        for name in ["ssl.log", "dns.log", "x509.log"] {
            writeFile(folder + "/" + name, readFile(logsFolder + "/lab-basic/zeek/tsv/" + name))
        }
        let run = try classify(.zeek, [folder])
        #expect(run.reports.isEmpty)
        #expect(run.errors.count == 8)
        #expect(run.errors.allSatisfy { $0.file == folder + "/conn.log" && $0.message.contains("before a #fields header") })
        #expect(run.errors.first?.line == 8)  // after the six headers before #fields and #types
        #expect(run.unjoined == 4)  // the ssl and dns records had no conn record to join
    }

    @Test func zeekBadLinesInTheMiddle() throws {
        let folder = scratchFolder()
        defer { removeTree(folder) }
        for format in ["tsv", "json"] {
            var lines = HostileInputTests.lines(logsFolder + "/lab-basic/zeek/\(format)/conn.log")
            let insertAt = format == "tsv" ? 10 : 2
            lines.insert(contentsOf: [
                Array("1.0\tCshort\t10.0.0.1".utf8),  // too few fields (TSV) / not JSON
                [0x31, 0x09, 0xC3, 0x28] + Array(String(repeating: "\t-", count: 21).utf8),  // not UTF-8
                Array("{\"ts\":1.5,\"uid\":\"Cx\",\"id.orig_h\":\"10.0.0.1\",\"proto\":\"tcp\"}".utf8),  // JSON without id.resp_h
            ], at: insertAt)
            try? FileIO_mkdir(folder + "/" + format)
            let path = folder + "/\(format)/conn.log"
            writeFile(path, HostileInputTests.joined(lines))
            for name in ["ssl.log", "dns.log", "x509.log"] {
                writeFile(folder + "/\(format)/" + name, readFile(logsFolder + "/lab-basic/zeek/\(format)/" + name))
            }
            let clean = try classify(.zeek, [logsFolder + "/lab-basic/zeek/\(format)"])
            let run = try classify(.zeek, [folder + "/" + format])
            #expect(run.errors.map(\.line) == [insertAt + 1, insertAt + 2, insertAt + 3], "\(run.errors)")
            #expect(run.errors.allSatisfy { $0.file == path })
            #expect(run.reports.count == 8)
            #expect(HostileInputTests.platforms(run) == HostileInputTests.platforms(clean))
        }
    }

    @Test func joinTablesAreBounded() throws {
        // At most one uid waits for its conn record: the others are flushed unjoined, the flows still reported.
        let run = try classify(.zeek, [logsFolder + "/lab-basic/zeek/tsv"], maximumPending: 1)
        #expect(run.unjoined == 3)
        #expect(run.reports.count == 8)
        // A window of one flow: flows are labelled one by one, EVE's events still join (they come first).
        let eve = try classify(.eve, [logsFolder + "/lab-basic/eve.json"], window: 1, maximumPending: 1)
        let clean = try classify(.eve, [logsFolder + "/lab-basic/eve.json"])
        #expect(HostileInputTests.platforms(eve) == HostileInputTests.platforms(clean))
    }

    @Test func aFileOfGarbageIsToldBriefly() throws {
        let folder = scratchFolder()
        defer { removeTree(folder) }
        writeFile(folder + "/eve.json", Array(String(repeating: "\u{1}garbage\n", count: 500).utf8))
        let run = try classify(.eve, [folder + "/eve.json"])
        #expect(run.errors.count == LineReader.maximumErrorsPerFile + 1)
        #expect(run.errors.last?.description == "\(folder)/eve.json: 400 more bad lines not shown")
        #expect(run.summary.inputErrors.count == LineReader.maximumErrorsPerFile + 1)
        #expect(run.reports.isEmpty)
    }

    /// Numbers at and past their types' limits are clamped or refused, never a trap.
    @Test func extremeNumbers() throws {
        let folder = scratchFolder()
        defer { removeTree(folder) }
        writeFile(folder + "/conn.log", Array("""
            #separator \\x09
            #path\tconn
            #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tduration\torig_pkts
            8999999999.9\tC1\t10.0.0.1\t99999\t10.0.0.2\t443\ttcp\t8999999999\t18446744073709551615
            0\tC2\t10.0.0.1\t1\t10.0.0.2\t2\tudp\t-1\t-5
            -1\tC3\t10.0.0.1\t1\t10.0.0.2\t2\tudp\t1\t1

            """.utf8))
        writeFile(folder + "/dns.log", Array("""
            #separator \\x09
            #path\tdns
            #fields\tts\tuid\tquery\tanswers\tTTLs\trtt
            8999999999.9\tC1\tx.org\t10.0.0.2\t4294967295\t8999999999

            """.utf8))
        let run = try classify(.zeek, [folder])
        #expect(run.reports.count == 2)
        #expect(run.errors.map(\.line) == [6])  // ts -1: refused
        let far = try #require(run.reports.first { $0.summary.proto == 6 })
        #expect(far.summary.lastSeen == .max && far.summary.clientPort == 65535 && far.summary.c2s.packets == 0)
        #expect(JSONLinesWriter.line(for: far).contains("\"first_seen\":\"2255-"))
    }

    @Test func missingFilesAndUnknownLogs() throws {
        let folder = scratchFolder()
        defer { removeTree(folder) }
        writeFile(folder + "/weird.log", Array("#fields\tts\tuid\n1.0\tCx\n".utf8))
        let run = try classify(.zeek, [folder + "/nothing-here", folder + "/weird.log"])
        #expect(run.errors.count == 2)
        #expect(run.errors[0].description == "\(folder)/nothing-here: no such file or directory")
        #expect(run.errors[1].description.hasPrefix("\(folder)/weird.log:2: unknown Zeek log"))
    }

    /// DNS answers name later flows to the answered address (`dns_name`), as analyze's cache does.
    @Test func dnsAnswersNameLaterFlows() throws {
        let packs = try shippedPacks()
        let writer = CollectingWriter()
        let logs = LogClassifier(writer: writer, classifier: Classifier(source: try RuleSet.compile(packs)))
        let resolver = IPAddress("192.0.2.53")!, client = IPAddress("192.0.2.10")!, server = IPAddress("198.51.100.7")!
        let second: Int64 = 1_000_000_000
        var dns = FlowEvidence()
        var answers = DNSEvidence.none
        answers.queries = [.of(name: "chat.signal.org", type: "A")]
        answers.answers = [.of(name: "chat.signal.org", type: "A", data: "198.51.100.7", ttl: 60)]
        dns.dns = answers
        dns.appProto = .dns
        let before = LogFlow.empty(proto: 6, client: client, clientPort: 40000, server: server, serverPort: 443, firstSeen: 5 * second, lastSeen: 6 * second)
        let query = LogFlow.empty(proto: 17, client: client, clientPort: 5353, server: resolver, serverPort: 53, firstSeen: 10 * second, lastSeen: 10 * second + 1000)
        let after = LogFlow.empty(proto: 6, client: client, clientPort: 40001, server: server, serverPort: 443, firstSeen: 11 * second, lastSeen: 12 * second)
        // Logged in end order, not start order.
        logs.add(LogFlow(summary: after, evidence: FlowEvidence(), file: "conn.log", line: 3))
        logs.add(LogFlow(summary: query, evidence: dns, file: "conn.log", line: 2, answerTime: 10 * second + 1000))
        logs.add(LogFlow(summary: before, evidence: FlowEvidence(), file: "conn.log", line: 1))
        logs.finish()
        let byPort = Dictionary(uniqueKeysWithValues: writer.reports.map { ($0.summary.clientPort, $0) })
        #expect(byPort[40001]?.evidence?.dnsName == "chat.signal.org")
        #expect(byPort[40001]?.classification?.platform == "Signal")
        #expect(byPort[40001]?.classification?.evidence.first?.crossFlow == "dns answer")
        #expect(byPort[40000]?.evidence?.dnsName == nil)  // started before the answer
        #expect(writer.reports.map(\.firstFrame) == [1, 2, 3])  // written in start order
    }
}

/// mkdir without Foundation.
func FileIO_mkdir(_ path: String) throws {
    _ = system("mkdir -p '\(path)'")
}

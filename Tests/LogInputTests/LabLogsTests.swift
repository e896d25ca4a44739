import Classifier
import LogInput
import Reports
@testable import Rules
import Schema
import Testing

/// The logs of the lab captures (Logs/make-logs.sh) classified as `analyze`
/// classifies the captures themselves (Tests/Golden/NAME.jsonl), flow by flow
/// (matched by 5-tuple), wherever the logs carry the facts that decided.
@Suite struct LabLogsTests {
    static let captures = ["lab-basic", "lab-quic", "lab-ssh", "lab-xmpp", "lab-mtproto"]

    /// The log sets of a capture: EVE, Zeek TSV, Zeek JSON.
    static func sources(_ capture: String) -> [(LogSource, [String])] {
        let folder = logsFolder + "/" + capture
        return [(.eve, [folder + "/eve.json"]), (.zeek, [folder + "/zeek/tsv"]), (.zeek, [folder + "/zeek/json"])]
    }

    @Test(arguments: captures)
    func platformsEqualAnalyze(capture: String) throws {
        let analyzed = try analyzedFlows(capture)
        #expect(!analyzed.isEmpty)
        for (source, paths) in LabLogsTests.sources(capture) {
            let run = try classify(source, paths)
            #expect(run.errors.isEmpty, "\(paths): \(run.errors)")
            #expect(run.unjoined == 0)
            #expect(run.reports.count == analyzed.count, "\(paths): every flow is reported")
            let byTuple = Dictionary(run.reports.map { ($0.fiveTuple, $0) }, uniquingKeysWith: { first, _ in first })
            let carried = Set(source.providedFields.filter { Field.declarations[$0.rawValue].rule != nil }.map(\.ruleName))
            var compared = 0
            for flow in analyzed {
                let report = try #require(byTuple[flow.key], "\(paths): no flow \(flow.key)")
                let decidedByCarriedFacts = !flow.crossFlow && flow.evidenceFields.allSatisfy { carried.contains($0) }
                if flow.platform == nil || decidedByCarriedFacts {
                    #expect(report.classification?.platform == flow.platform, "\(paths): \(flow.key)")
                    compared += 1
                } else {
                    // Decided by facts the logs lack: the deciding rules must be reported not applicable.
                    #expect(report.classification?.platform == nil, "\(paths): \(flow.key) labelled without its facts")
                }
            }
            // lab-mtproto: every flow is decided by MTProto framing, which no log carries.
            if capture != "lab-mtproto" { #expect(compared > 0) }
            if capture == "lab-basic" { #expect(compared == analyzed.count, "all of lab-basic's flows are decided by logged facts") }
        }
    }

    @Test func labBasicCarriesTheLoggedFacts() throws {
        for (source, paths) in LabLogsTests.sources("lab-basic") {
            let run = try classify(source, paths)
            let signal = try #require(run.reports.first { $0.summary.serverPort == 8443 })
            #expect(signal.evidence?.tls?.sni == "chat.signal.org")
            #expect(signal.evidence?.tls?.ja4 == "t13d041000_16476d049b0b_78f1d400d464")
            #expect(signal.evidence?.tls?.ja3 == "f146948b4a599d4d7ddf071b74696983")
            #expect(signal.evidence?.appProto == .tls)
            #expect(signal.summary.c2s.packets == 12 && signal.summary.s2c.packets == 8)
            #expect(signal.summary.endReason == .fin)
            #expect(signal.summary.communityID == "1:ncYxSES/zuG4OTYuqeeiOMvGW7Y=")
            #expect(signal.sourceFile.hasSuffix(source == .eve ? "eve.json" : "conn.log"))
            let whatsapp = try #require(run.reports.first { $0.summary.serverPort == 8444 })
            let certificate = try #require(whatsapp.evidence?.tls?.certificates.first)
            #expect(certificate.subject == "CN=web.whatsapp.com")
            #expect(certificate.san == ["web.whatsapp.com"])
            #expect(certificate.notBefore == "2026-11-30T21:19:34Z")
            #expect(certificate.serial == "172df059702e3f238bcd0c982fc22387982048b8")
            let dns = try #require(run.reports.first { $0.summary.serverPort == 5353 && $0.evidence?.dns?.queries.first?.type == "A" })
            #expect(dns.evidence?.dns?.answers.first?.data == "127.0.0.10")
            #expect(dns.evidence?.dns?.answers.first?.ttl == 300)
            let rejected = try #require(run.reports.first { $0.summary.serverPort == 9001 })
            #expect(rejected.summary.endReason == .rst)
            // The same keys as analyze: the JSON line is the writers' own.
            let line = JSONLinesWriter.line(for: signal)
            #expect(line.hasPrefix("{\"flow_id\":"))
            #expect(line.contains("\"platform\":\"Signal\""))
        }
    }

    @Test func sshAndQUICFacts() throws {
        for (source, paths) in LabLogsTests.sources("lab-ssh") {
            let run = try classify(source, paths)
            let ssh = try #require(run.reports.first)
            #expect(ssh.evidence?.appProto == .ssh)
            #expect(ssh.evidence?.ssh?.hassh == "472b5de333ad665af5cbf10ff892c4df")
            #expect(ssh.evidence?.ssh?.clientBanner?.hasPrefix("SSH-2.0-OpenSSH_9.2p1") == true)
        }
        for (source, paths) in LabLogsTests.sources("lab-quic") {
            let run = try classify(source, paths)
            let quic = try #require(run.reports.first)
            #expect(quic.evidence?.appProto == .quic)
            #expect(quic.evidence?.quic?.version == "v1")
            #expect(quic.evidence?.tls?.sni == "web.telegram.org")
            #expect(quic.classification?.platform == "Telegram")
        }
    }

    @Test(arguments: LogSource.allCases)
    func notApplicableRulesAreReported(source: LogSource) throws {
        let packs = try shippedPacks()
        let applicability = RuleApplicability(rules: try RuleSet.compile(packs).rules, source: source)
        let names = Set(applicability.notApplicable.map(\.rule.name))
        #expect(names.contains("xmpp-stream-header-5222"))  // payload
        #expect(names.contains("threema-handshake"))  // sequence
        #expect(names.contains("telegram-mtproto-obfuscated2"))  // mtproto.transport
        #expect(!names.contains("signal-domains"))
        let counts = Dictionary(uniqueKeysWithValues: applicability.countsByMissingFact.map { ($0.fact, $0.rules) })
        #expect((counts["payload"] ?? 0) > 0 && (counts["sequence"] ?? 0) > 0)
        let text = applicability.text()
        #expect(text.hasPrefix("cipherscope: rules not applicable to \(source.rawValue) logs: \(applicability.notApplicable.count) of "))
        #expect(text.contains("payload: ") && text.contains("sequence: "))
        #expect(text.contains("  not applicable: threema-handshake (org.cipherscope.messaging): needs sequence"))
        let total = try RuleSet.compile(packs).rules.count
        #expect(applicability.applicable.count + applicability.notApplicable.count == total)
        // Left out of the compiled set, never evaluated as non-matching.
        let filtered = try RuleSet.compile(applicability.filtered(packs))
        #expect(filtered.rules.count == applicability.applicable.count)
    }

    @Test func applicabilityFollowsTheConditionTree() {
        let provided = LogSource.zeek.providedFields
        func field(_ name: String) -> Condition {
            .field(FieldCondition(field: name, mode: .exact, values: .text(["x"]), listFile: nil, line: 1, column: 1))
        }
        let payload = Condition.payload(PayloadCondition(direction: .c2s, offset: 0, pattern: [0x16], line: 1, column: 1))
        #expect(RuleApplicability.missing(field("tls.sni"), provided: provided).isEmpty)
        #expect(RuleApplicability.missing(field("tcp.ja4t"), provided: provided) == ["tcp.ja4t"])
        #expect(RuleApplicability.missing(.all([field("tls.sni"), payload]), provided: provided) == ["payload"])
        #expect(RuleApplicability.missing(.any([field("tls.sni"), payload]), provided: provided).isEmpty)
        #expect(RuleApplicability.missing(.any([field("stun.realm"), payload]), provided: provided) == ["stun.realm", "payload"])
        #expect(RuleApplicability.missing(.not(field("framings")), provided: provided) == ["framings"])
        let bytes = Condition.counter(CounterCondition(name: "bytes_c2s", minimum: 1, maximum: nil, line: 1, column: 1))
        #expect(RuleApplicability.missing(bytes, provided: LogSource.zeek.providedFields).isEmpty)
        #expect(RuleApplicability.missing(bytes, provided: LogSource.eve.providedFields) == ["counter bytes_c2s"])
    }
}

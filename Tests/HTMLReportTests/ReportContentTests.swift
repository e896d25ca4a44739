import Classifier
import Custody
import Decoding
import Flows
import Reports
import Testing
@testable import HTMLReport

/// The content's lists stay within their limits and count what they leave out; the
/// rendered page says so, escapes what it shows, and the time axis is UTC.
struct ReportContentTests {
    static func report(client: String, flowID: UInt64, start: Int64, activity: String, platform: String? = "Example") -> FlowReport {
        var summary = FlowSummary(proto: 17, clientAddress: IPAddress(client)!, clientPort: 40_000,
                                  serverAddress: IPAddress("192.0.2.10")!, serverPort: 3478,
                                  firstSeen: start, lastSeen: start + 30_000_000_000, communityID: "")
        summary.flowID = flowID
        var report = FlowReport(summary: summary, sourceFile: "x.pcap", firstFrame: 1, nanosecondTimes: false)
        if let platform {
            var label = Classification()
            label.platform = platform
            label.activity = activity
            label.rules = ["example-rule"]
            label.evidence = (0..<5).map { EvidenceItem(field: "dst_ip", value: "192.0.2.10", rule: "example-rule-\($0)") }
            report.classification = label
        }
        return report
    }

    @Test func listsStayBoundedAndCountWhatIsLeftOut() throws {
        var limits = ReportContent.Limits()
        limits.calls = 3
        limits.labelledFlows = 4
        limits.evidencePerFlow = 2
        limits.timelineRows = 2
        limits.barsPerRow = 2
        let content = ReportContent(limits: limits)
        for index in 0..<10 {
            let client = "198.51.100.\(index % 3 + 1)"
            content.add(Self.report(client: client, flowID: UInt64(index), start: 1_700_000_000_000_000_000 + Int64(index) * 60_000_000_000,
                                    activity: "voice-call"))
        }
        content.add(Self.report(client: "198.51.100.9", flowID: 99, start: 1_700_000_000_000_000_000, activity: "web", platform: nil))
        #expect(content.flows == 11 && content.unlabelledFlows == 1)
        #expect(content.calls.count == 3 && content.callsLeftOut == 7)
        #expect(content.labels.count == 4 && content.labelsLeftOut == 6)
        #expect(content.labels.allSatisfy { $0.items.count == 2 && $0.itemsLeftOut == 3 })
        #expect(content.rows.count == 2 && content.rows.allSatisfy { $0.bars.count == 2 })
        // 10 labelled flows: 4 drawn; the third client's 3 flows and 3 beyond the bar limit left out.
        #expect(content.rowFlowsLeftOut == 3 && content.rows.reduce(0) { $0 + $1.barsLeftOut } == 3)

        let manifest = CustodyManifestFixture.make()
        let html = try ReportRenderer.render(content, facts: ReportFacts(custody: manifest, selection: "", generated: 0), language: .en)
        #expect(html.contains("Not shown (over the report&#39;s limits): 7."))  // calls
        // Labels (6 left out) and timeline (3 flows of the third client, 3 beyond the bar limit).
        #expect(html.components(separatedBy: "Not shown (over the report&#39;s limits): 6 flows.").count == 3)
        #expect(html.contains("<td id=\"period\">2023-11-14T22:13:20Z – 2023-11-14T22:22:50Z</td>"))
    }

    @Test func hostileTextsAreEscaped() throws {
        let content = ReportContent()
        var report = Self.report(client: "198.51.100.1", flowID: 1, start: 0, activity: "chat",
                                 platform: "<b>Evil</b>")
        report.classification?.evidence = [EvidenceItem(field: "tls.sni", value: "\"><script>x()</script>", rule: "r&d")]
        content.add(report)
        var manifest = CustodyManifestFixture.make()
        manifest.caseID = "<i>case</i>"
        manifest.commandLine = ["cipherscope", "report", "--operator", "O'Brien <x>"]
        let html = try ReportRenderer.render(content, facts: ReportFacts(custody: manifest, selection: "", generated: 0), language: .fr)
        #expect(!html.contains("<script") && !html.contains("<b>Evil") && !html.contains("<i>case"))
        #expect(html.contains("&lt;b&gt;Evil&lt;/b&gt;") && html.contains("&quot;&gt;&lt;script&gt;x()&lt;/script&gt;"))
        #expect(html.contains("r&amp;d") && html.contains("&#39;O&#39;\\&#39;&#39;Brien &lt;x&gt;&#39;"))
    }

    @Test func utcTimesParseAndPrintBack() {
        #expect(TimeFormat.parseUTC("2024-05-01T12:34:56Z") == 1_714_566_896_000_000_000)
        #expect(TimeFormat.parseUTC("2024-05-01") == 1_714_521_600_000_000_000)
        #expect(TimeFormat.parseUTC("2024-05-01 12:34:56.5") == 1_714_566_896_500_000_000)
        #expect(TimeFormat.parseUTC("1969-12-31T23:59:59Z") == -1_000_000_000)
        for bad in ["", "2024-13-01", "2024-05-01T25:00:00Z", "2024-05-01T12:34:56+02:00", "yesterday", "2024-05-01T12:34"] {
            #expect(TimeFormat.parseUTC(bad) == nil, "\(bad)")
        }
        #expect(utc(1_714_566_896_999_999_999) == "2024-05-01T12:34:56Z")
        #expect(utc(-1) == "1969-12-31T23:59:59Z")
    }
}

enum CustodyManifestFixture {
    static func make() -> CustodyManifest {
        CustodyManifest(tool: .init(name: "cipherscope", version: "0.1.0", sourceCommit: nil), commandLine: ["cipherscope"],
                        caseID: nil, operatorName: nil, started: 0, ended: 0)
    }
}

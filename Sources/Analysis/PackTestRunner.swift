import Classifier
import Flows
import Reports
import Rules
import Schema

/// Runs the capture tests a pack declares through the whole pipeline and checks
/// the platform of every selected flow (`cipherscope rules test`).
public enum PackTestRunner {
    /// Failures of every test in `tests` (synthetic cases included), against `rules`.
    public static func run(_ tests: PackTests, rules: RuleSet) -> [PackTestFailure] {
        var failures = tests.runFactCases(with: rules)
        for test in tests.cases {
            guard case .capture(let capture) = test.kind else { continue }
            let writer = ResultCollector()
            let analyzer = Analyzer(options: AnalysisOptions(), writer: writer, classifier: Classifier(source: rules))
            let summary = analyzer.run(paths: [capture.path])
            if !summary.inputErrors.isEmpty {
                failures.append(.failure(test: test.name, line: test.line, message: "cannot read \(capture.relativePath): \(summary.inputErrors[0])"))
                continue
            }
            failures += PackTests.check(test, results: writer.results)
        }
        return failures
    }

    /// Keeps each flow's selectable fields and platform.
    final class ResultCollector: FlowReportWriter {
        var results: [FlowResult] = []

        func write(_ report: FlowReport) throws(OutputError) {
            let flow = report.summary
            var fields: [String: String] = [
                "flow_id": String(flow.flowID), "proto": ProtocolNames.name(flow.proto),
                "src_ip": flow.clientAddress.description, "src_port": String(flow.clientPort),
                "dst_ip": flow.serverAddress.description, "dst_port": String(flow.serverPort),
                "community_id": flow.communityID,
            ]
            if let evidence = report.evidence {
                fields["app_proto"] = evidence.appProto?.name
                fields["tls.sni"] = evidence.tls?.sni
                fields["dns_name"] = evidence.dnsName
                fields["dns.queries"] = evidence.dns?.queries.first?.name
                fields["http.host"] = evidence.http?.host
                fields["stun.realm"] = evidence.stun?.realm
                fields["mtproto.transport"] = evidence.mtproto?.transport
            }
            if let activity = report.classification?.activity { fields["activity"] = activity }
            results.append(FlowResult(fields: fields, platform: report.classification?.platform))
        }

        func finish() throws(OutputError) {}
    }
}

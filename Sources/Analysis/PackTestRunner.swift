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
            var fields = SelectableFields()
            report.describe(into: &fields)
            results.append(FlowResult(fields: fields.values, platform: report.classification?.platform))
        }

        func finish() throws(OutputError) {}
    }
}

/// The first value of every field, as text under the name rules use (`dns.queries`
/// for the first query name): what a pack's capture test may select flows by.
struct SelectableFields: FlatFieldSink {
    var values: [String: String] = [:]

    func wants(_ field: Field) -> Bool { true }

    mutating func text(_ field: Field, _ value: String) {
        let name = field.ruleName
        if values[name] == nil { values[name] = value }
    }

    mutating func texts(_ field: Field, _ values: [String]) {
        if let first = values.first { text(field, first) }
    }

    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) { text(field, String(value)) }
    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        if let first = values.first { text(field, String(first)) }
    }
    mutating func bool(_ field: Field, _ value: Bool) { text(field, value ? "true" : "false") }
    mutating func time(_ field: Field, nanoseconds: Int64) {}
    mutating func seconds(_ field: Field, nanoseconds: Int64) {}
}

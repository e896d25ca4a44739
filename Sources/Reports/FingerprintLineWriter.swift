import Flows
import Schema

/// One line per flow that has fingerprints, for pasting into a report or a
/// lookup: `time proto client -> server app key=value ...` with every field
/// declared `fingerprint` (under its JSON key), in declaration order. Flows
/// without any are left out.
public final class FingerprintLineWriter: FlowReportWriter {
    private let output: OutputFile

    public init(output: OutputFile) {
        self.output = output
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        guard let line = FingerprintLineWriter.line(for: report) else { return }
        try output.write(line + "\n")
        try output.endRecord()
    }

    public func finish() throws(OutputError) {
        try output.commit()
    }

    public static func line(for report: FlowReport) -> String? {
        guard let evidence = report.evidence else { return nil }
        var fingerprints = FingerprintFields()
        evidence.describe(into: &fingerprints)
        guard !fingerprints.pairs.isEmpty else { return nil }
        let flow = report.summary
        var line = TimeFormat.rfc3339(flow.firstSeen, nanosecondDigits: false)
        line += " " + ProtocolNames.name(flow.proto)
        line += " " + TableWriter.client(of: flow)
        line += " -> " + TableWriter.server(of: flow)
        line += " " + (evidence.appProto?.name ?? "-")
        for (key, value) in fingerprints.pairs { line += " \(key)=\(value.contains(" ") ? "\"\(value)\"" : value)" }
        return line
    }
}

/// The fingerprint projection: `key=value` pairs of the fields declared `fingerprint`.
struct FingerprintFields: FlatFieldSink {
    var pairs: [(Substring, String)] = []

    func wants(_ field: Field) -> Bool { Field.declarations[field.rawValue].fingerprint }

    mutating func text(_ field: Field, _ value: String) {
        if wants(field) { pairs.append((Field.declarations[field.rawValue].key, value)) }
    }

    mutating func texts(_ field: Field, _ values: [String]) {
        for value in values { text(field, value) }
    }

    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {}
    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {}
    mutating func bool(_ field: Field, _ value: Bool) {}
    mutating func time(_ field: Field, nanoseconds: Int64) {}
    mutating func seconds(_ field: Field, nanoseconds: Int64) {}
}

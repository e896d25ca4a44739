import Flows
import Inspection
import Schema

/// One line per flow that has fingerprints, for pasting into a report or a
/// lookup: `time proto client -> server app key=value ...`. Flows without any
/// fingerprint are left out.
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
        var fields: [(String, String)] = []
        if let tls = evidence.tls {
            if let sni = tls.sni { fields.append(("sni", sni)) }
            if let ja3 = tls.ja3 { fields.append(("ja3", ja3)) }
            if let ja3s = tls.ja3s { fields.append(("ja3s", ja3s)) }
            if let ja4 = tls.ja4 { fields.append(("ja4", ja4)) }
            if let ja4s = tls.ja4s { fields.append(("ja4s", ja4s)) }
            for certificate in tls.certificates { if let ja4x = certificate.ja4x { fields.append(("ja4x", ja4x)) } }
        }
        if let ja4t = evidence.ja4t { fields.append(("ja4t", ja4t)) }
        if let ja4ts = evidence.ja4ts { fields.append(("ja4ts", ja4ts)) }
        if let http = evidence.http { for ja4h in http.ja4h { fields.append(("ja4h", ja4h)) } }
        if let ssh = evidence.ssh {
            if let hassh = ssh.hassh { fields.append(("hassh", hassh)) }
            if let hassh = ssh.hasshServer { fields.append(("hassh_server", hassh)) }
            for ja4ssh in ssh.ja4ssh { fields.append(("ja4ssh", ja4ssh)) }
        }
        guard !fields.isEmpty else { return nil }
        let flow = report.summary
        let ports = flow.proto == 6 || flow.proto == 17 || flow.proto == 132
        func endpoint(_ address: String, _ port: UInt16) -> String {
            guard ports else { return address }
            return address.contains(":") ? "[\(address)]:\(port)" : "\(address):\(port)"
        }
        var line = TimeFormat.rfc3339(flow.firstSeen, nanosecondDigits: false)
        line += " " + ProtocolNames.name(flow.proto)
        line += " " + endpoint(flow.clientAddress.description, flow.clientPort)
        line += " -> " + endpoint(flow.serverAddress.description, flow.serverPort)
        line += " " + (evidence.appProto?.name ?? "-")
        for (key, value) in fields { line += " \(key)=\(value.contains(" ") ? "\"\(value)\"" : value)" }
        return line
    }
}

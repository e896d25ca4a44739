import Classifier
import Decoding
import Flows
import Inspection
import LogInput
import Reports
import Rules

extension StoredFlow {
    /// The flow as a `FlowReport` again, rebuilt from its stored `analyze` record, for
    /// the consumers that take reports (the HTML report, an extraction's selection):
    /// the flow's tuple, times, counters, split, label with its evidence, and the TLS
    /// server name, certificate subjects and DNS name. Protocol details beyond those
    /// are not rebuilt (`case query` prints the record itself). Nil: not a flow record.
    public func report() -> FlowReport? {
        guard let object = try? JSONParser.parse(Array(record.utf8)) else { return nil }
        return StoredFlow.report(object)
    }

    static func report(_ object: JSONValue) -> FlowReport? {
        func text(_ name: String) -> String? { object.path(name)?.string }
        func number(_ name: String) -> UInt64 { object.path(name)?.integer.map { UInt64(clamping: $0) } ?? 0 }
        guard let flowID = object["flow_id"]?.integer, let proto = text("proto").flatMap(protocolNumber),
              let client = text("src_ip").flatMap(IPAddress.init), let server = text("dst_ip").flatMap(IPAddress.init),
              let first = text("first_seen").flatMap(LogTime.parseISO), let last = text("last_seen").flatMap(LogTime.parseISO)
        else { return nil }
        var summary = LogFlow.empty(proto: proto, client: client, clientPort: UInt16(clamping: number("src_port")),
                                    server: server, serverPort: UInt16(clamping: number("dst_port")), firstSeen: first, lastSeen: last)
        summary.flowID = UInt64(clamping: flowID)
        summary.communityID = text("community_id") ?? summary.communityID
        summary.c2s.packets = number("packets_c2s")
        summary.s2c.packets = number("packets_s2c")
        summary.c2s.ipBytes = number("bytes_c2s")
        summary.s2c.ipBytes = number("bytes_s2c")
        summary.c2s.payloadBytes = number("payload_c2s")
        summary.s2c.payloadBytes = number("payload_s2c")
        summary.splitOf = number("split_of")
        summary.splitIndex = UInt32(clamping: number("split_index"))

        var evidence = FlowEvidence()
        evidence.dnsName = text("dns_name")
        if let sni = text("tls.sni") {
            evidence.tls = TLSEvidence.none
            evidence.tls?.sni = sni
        }
        if let certificates = object.path("tls.certificates")?.array, !certificates.isEmpty {
            if evidence.tls == nil { evidence.tls = TLSEvidence.none }
            evidence.tls?.certificates = certificates.prefix(8).map { certificate in
                TLSCertificateEvidence.of(
                    subject: certificate["subject"]?.string ?? "", issuer: certificate["issuer"]?.string ?? "",
                    san: certificate["san"]?.array?.compactMap(\.string) ?? [], notBefore: certificate["not_before"]?.string ?? "",
                    notAfter: certificate["not_after"]?.string ?? "", serial: certificate["serial"]?.string ?? "",
                    sha256: certificate["sha256"]?.string ?? "", ja4x: certificate["ja4x"]?.string)
            }
        }

        var report = FlowReport(summary: summary, sourceFile: text("source_file") ?? "", firstFrame: number("first_frame"),
                                firstOffset: object["first_offset"]?.integer.map { Int64(clamping: $0) },
                                nanosecondTimes: false, evidence: evidence)
        var classification = Classification()
        classification.platform = text("platform")
        classification.service = text("service")
        classification.confidence = text("confidence").flatMap(Confidence.init(rawValue:))
        classification.rules = object["rules"]?.array?.compactMap(\.string) ?? []
        classification.evidence = (object["evidence"]?.array ?? []).compactMap { item in
            guard let field = item["field"]?.string, let value = item["value"]?.string, let rule = item["rule"]?.string else { return nil }
            return EvidenceItem(field: field, value: value, rule: rule, crossFlow: item["cross_flow"]?.string)
        }
        classification.activity = text("activity") ?? "unknown"
        report.classification = classification
        return report
    }

    /// `proto` as the records write it.
    static func protocolNumber(_ name: String) -> UInt8? {
        switch name {
        case "tcp": IPProtocol.tcp
        case "udp": IPProtocol.udp
        case "icmp": IPProtocol.icmp
        case "icmpv6": IPProtocol.icmpv6
        case "sctp": IPProtocol.sctp
        default: UInt8(name)
        }
    }
}

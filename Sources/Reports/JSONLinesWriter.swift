import Decoding
import Flows

/// One JSON object per flow and line (JSON Lines), written as flows end.
public final class JSONLinesWriter: FlowReportWriter {
    private let output: OutputFile

    public init(output: OutputFile) {
        self.output = output
    }

    public func write(_ report: FlowReport) throws(OutputError) {
        try output.write(bytes: JSONLinesWriter.lineBytes(for: report))
        try output.endRecord()
    }

    public func finish() throws(OutputError) {
        try output.commit()
    }

    /// The JSON object of one flow, with its newline. Key names are a contract
    /// with partners' scripts: extend, never rename.
    public static func line(for report: FlowReport) -> String {
        String(decoding: lineBytes(for: report), as: UTF8.self)
    }

    /// The same line as UTF-8 bytes (what the writer emits, without a String in between).
    public static func lineBytes(for report: FlowReport) -> [UInt8] {
        let flow = report.summary
        let nano = report.nanosecondTimes
        var json = JSONObject(capacity: 2048)
        json.add("flow_id", flow.flowID)
        json.add("community_id", flow.communityID)
        json.add("proto", ProtocolNames.name(flow.proto))
        json.add("src_ip", flow.clientAddress.description)
        json.add("src_port", flow.clientPort)
        json.add("dst_ip", flow.serverAddress.description)
        json.add("dst_port", flow.serverPort)
        if !flow.vlans.isEmpty { json.add("vlan", flow.vlans) }
        if let tunnel = flow.tunnel {
            var object = JSONObject()
            object.add("type", tunnel.kind.name)
            if tunnel.hasID { object.add("id", tunnel.id) }
            object.add("outer_src_ip", tunnel.outerSource.description)
            object.add("outer_dst_ip", tunnel.outerDestination.description)
            if tunnel.depth > 1 { object.add("depth", tunnel.depth) }
            json.add("tunnel", object: object)
        }
        json.add("first_seen", time: flow.firstSeen, nanosecondDigits: nano)
        json.add("last_seen", time: flow.lastSeen, nanosecondDigits: nano)
        json.add("duration", seconds: flow.duration, nanosecondDigits: nano)
        json.add("packets_c2s", flow.c2s.packets)
        json.add("packets_s2c", flow.s2c.packets)
        json.add("bytes_c2s", flow.c2s.ipBytes)
        json.add("bytes_s2c", flow.s2c.ipBytes)
        json.add("payload_c2s", flow.c2s.payloadBytes)
        json.add("payload_s2c", flow.s2c.payloadBytes)
        json.add("end_reason", flow.endReason.name)
        json.add("source_file", report.sourceFile)
        json.add("first_frame", report.firstFrame)
        json.add("ip_version", flow.ipVersion)
        if flow.isSplit {
            json.add("split_index", flow.splitIndex)
            json.add("split_of", flow.splitIndex == 0 ? flow.flowID : flow.splitOf)
        }
        if flow.proto == IPProtocol.tcp {
            json.add("tcp_flags_c2s", ProtocolNames.tcpFlags(flow.c2s.tcpFlags))
            json.add("tcp_flags_s2c", ProtocolNames.tcpFlags(flow.s2c.tcpFlags))
            json.add("tcp_handshake", ProtocolNames.tcpHandshake(flow.tcp))
        }
        if flow.proto == IPProtocol.icmp || flow.proto == IPProtocol.icmpv6 {
            json.add("icmp_type", flow.icmpType)
            json.add("icmp_code", flow.icmpCode)
        }
        json.add("payload_lengths", flow.payloadLengths)
        json.add("payload_gaps_us", flow.payloadGaps)
        if let evidence = report.evidence { EvidenceJSON.add(evidence, to: &json) }
        if let classification = report.classification { ClassificationJSON.add(classification, to: &json) }
        return json.line()
    }
}

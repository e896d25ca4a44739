import Decoding
import Flows
import Inspection

import Rules

/// Flattens a flow's summary and evidence into the named fields rules match on.
public enum FactsBuilder {
    public static func facts(_ flow: FlowSummary, evidence: FlowEvidence?) -> FlowFacts {
        var text: [String: [String]] = [:]
        func put(_ key: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            text[key, default: []].append(value)
        }
        var facts = FlowFacts(
            proto: ProtocolNames.name(flow.proto),
            sourceAddress: flow.clientAddress, sourcePort: flow.clientPort,
            destinationAddress: flow.serverAddress, destinationPort: flow.serverPort,
            payloadLengths: flow.payloadLengths,
            counters: [
                "packets_c2s": Int64(flow.c2s.packets), "packets_s2c": Int64(flow.s2c.packets),
                "bytes_c2s": Int64(flow.c2s.ipBytes), "bytes_s2c": Int64(flow.s2c.ipBytes),
                "payload_c2s": Int64(flow.c2s.payloadBytes), "payload_s2c": Int64(flow.s2c.payloadBytes),
                "duration_ms": flow.duration / 1_000_000,
            ])
        put("end_reason", flow.endReason.name)
        put("ip_version", String(flow.ipVersion))
        if flow.proto == IPProtocol.tcp { put("tcp_handshake", ProtocolNames.tcpHandshake(flow.tcp)) }
        put("tunnel.type", flow.tunnel?.kind.name)
        guard let evidence else {
            facts.text = text
            return facts
        }
        facts.appProto = evidence.appProto
        put("app_proto", evidence.appProto)
        if let tls = evidence.tls {
            put("tls.sni", tls.sni)
            for alpn in tls.alpn { put("tls.alpn", alpn) }
            put("tls.alpn_selected", tls.alpnSelected)
            put("tls.version", tls.version)
            put("tls.ja3", tls.ja3)
            put("tls.ja3s", tls.ja3s)
            put("tls.ja4", tls.ja4)
            put("tls.ja4_r", tls.ja4r)
            put("tls.ja4s", tls.ja4s)
            put("tls.ja4s_r", tls.ja4sr)
            put("tls.cipher", tls.cipher)
            if tls.sawClientHello { put("tls.ech", tls.ech ? "true" : "false") }
            for certificate in tls.certificates {
                put("tls.certificates.issuer", certificate.issuer)
                put("tls.certificates.subject", certificate.subject)
                for san in certificate.san { put("tls.certificates.san", san) }
                put("tls.certificates.sha256", certificate.sha256)
                put("tls.certificates.serial", certificate.serial)
                put("tls.certificates.ja4x", certificate.ja4x)
            }
        }
        put("quic.version", evidence.quicVersion)
        put("tcp.ja4t", evidence.ja4t)
        put("tcp.ja4ts", evidence.ja4ts)
        if let dns = evidence.dns {
            for query in dns.queries { put("dns.queries", query.name) }
            for answer in dns.answers { put("dns.answers", answer.data) }
            put("dns.rcode", dns.rcode)
        }
        put("dns_name", evidence.dnsName)
        if let http = evidence.http {
            put("http.host", http.host)
            put("http.user_agent", http.userAgent)
            put("http.method", http.method)
            put("http.target", http.target)
            for ja4h in http.ja4h { put("http.ja4h", ja4h) }
        }
        if let ssh = evidence.ssh {
            put("ssh.client_banner", ssh.clientBanner)
            put("ssh.server_banner", ssh.serverBanner)
            put("ssh.hassh", ssh.hassh)
            put("ssh.hassh_server", ssh.hasshServer)
            for fingerprint in ssh.ja4ssh { put("ssh.ja4ssh", fingerprint) }
        }
        if let stun = evidence.stun {
            put("stun.realm", stun.realm)
            put("stun.software", stun.software)
            for method in stun.methods { put("stun.methods", method) }
            facts.stunAttributes = stun.attributes
        }
        put("mtproto.transport", evidence.mtproto?.transport)
        put("mtproto.dc_id", evidence.mtproto?.dcID.map { String($0) })
        for type in evidence.rtp?.payloadTypes ?? [] { put("rtp.payload_types", String(type)) }
        for framing in evidence.framings { put("framings", framing) }
        facts.text = text
        facts.firstPayload = evidence.firstPayloads
        return facts
    }
}

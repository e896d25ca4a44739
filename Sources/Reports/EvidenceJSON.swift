import Inspection
import Schema

/// The evidence keys of a flow's JSON object (absent when not seen). Names are a
/// contract with partners' scripts: extend, never rename. Nested objects are
/// written in place into the flow's line.
enum EvidenceJSON {
    static func add(_ evidence: FlowEvidence, to json: inout JSONObject) {
        if let appProto = evidence.appProto { json.add("app_proto", appProto.name) }
        if let tls = evidence.tls { json.addObject("tls") { add(tls, to: &$0) } }
        if let version = evidence.quicVersion {
            json.addObject("quic") { $0.add("version", version) }
        }
        if evidence.ja4t != nil || evidence.ja4ts != nil {
            json.addObject("tcp") { tcp in
                if let ja4t = evidence.ja4t { tcp.add("ja4t", ja4t) }
                if let ja4ts = evidence.ja4ts { tcp.add("ja4ts", ja4ts) }
            }
        }
        if let dns = evidence.dns { json.addObject("dns") { add(dns, to: &$0) } }
        if let name = evidence.dnsName { json.add("dns_name", name) }
        if let http = evidence.http {
            json.addObject("http") { object in
                if let host = http.host { object.add("host", host) }
                if let method = http.method { object.add("method", method) }
                if let target = http.target { object.add("target", target) }
                if let userAgent = http.userAgent { object.add("user_agent", userAgent) }
                object.add("ja4h", strings: http.ja4h)
            }
        }
        if let ssh = evidence.ssh {
            json.addObject("ssh") { object in
                if let banner = ssh.clientBanner { object.add("client_banner", banner) }
                if let banner = ssh.serverBanner { object.add("server_banner", banner) }
                if let hassh = ssh.hassh { object.add("hassh", hassh) }
                if let hassh = ssh.hasshServer { object.add("hassh_server", hassh) }
                object.add("ja4ssh", strings: ssh.ja4ssh)
            }
        }
        if let stun = evidence.stun {
            json.addObject("stun") { object in
                if let realm = stun.realm { object.add("realm", realm) }
                if let software = stun.software { object.add("software", software) }
                object.add("attributes", stun.attributes)
                object.add("methods", strings: stun.methods)
                if !stun.mapped.isEmpty { object.add("mapped", strings: stun.mapped) }
                if !stun.relayed.isEmpty { object.add("relayed", strings: stun.relayed) }
                if !stun.peer.isEmpty { object.add("peer", strings: stun.peer) }
                object.add("messages", stun.messages)
            }
        }
        if let rtp = evidence.rtp {
            json.addObject("rtp") { object in
                object.add("payload_types", rtp.payloadTypes)
                object.add("ssrc_count", rtp.ssrcCount)
                object.add("rtp_packets", rtp.rtpPackets)
                object.add("rtcp_packets", rtp.rtcpPackets)
            }
        }
        if let mtproto = evidence.mtproto {
            json.addObject("mtproto") { object in
                object.add("transport", mtproto.transport)
                if let dc = mtproto.dcID { object.add("dc_id", dc) }
            }
        }
        if !evidence.framings.isEmpty { json.add("framings", strings: evidence.framings) }
    }

    static func add(_ tls: TLSEvidence, to object: inout JSONObject) {
        if let version = tls.version { object.add("version", version) }
        if let sni = tls.sni { object.add("sni", sni) }
        if tls.sawClientHello { object.add("alpn", strings: tls.alpn) }
        if let alpn = tls.alpnSelected { object.add("alpn_selected", alpn) }
        if let cipher = tls.cipher { object.add("cipher", cipher) }
        if let ja3 = tls.ja3 { object.add("ja3", ja3) }
        if let ja3 = tls.ja3String { object.add("ja3_string", ja3) }
        if let ja3s = tls.ja3s { object.add("ja3s", ja3s) }
        if let ja3s = tls.ja3sString { object.add("ja3s_string", ja3s) }
        if let ja4 = tls.ja4 { object.add("ja4", ja4) }
        if let ja4 = tls.ja4r { object.add("ja4_r", ja4) }
        if let ja4s = tls.ja4s { object.add("ja4s", ja4s) }
        if let ja4s = tls.ja4sr { object.add("ja4s_r", ja4s) }
        if tls.sawClientHello { object.add("ech", tls.ech) }
        if !tls.certificates.isEmpty {
            object.addObjects("certificates", tls.certificates) { certificate, item in
                item.add("subject", certificate.subject)
                item.add("issuer", certificate.issuer)
                item.add("san", strings: certificate.san)
                item.add("not_before", certificate.notBefore)
                item.add("not_after", certificate.notAfter)
                item.add("serial", certificate.serial)
                item.add("sha256", certificate.sha256)
                if let ja4x = certificate.ja4x { item.add("ja4x", ja4x) }
            }
        }
    }

    static func add(_ dns: DNSEvidence, to object: inout JSONObject) {
        object.addObjects("queries", dns.queries) { query, item in
            item.add("name", query.name)
            item.add("type", query.type)
        }
        object.addObjects("answers", dns.answers) { answer, item in
            item.add("name", answer.name)
            item.add("type", answer.type)
            item.add("data", answer.data)
            item.add("ttl", answer.ttl)
        }
        if let rcode = dns.rcode { object.add("rcode", rcode) }
    }
}

import Decoding
import Flows
import Inspection

import Rules
import Schema

/// The text fields the builder fills, resolved to numbers once.
private enum F {
    static let appProto = TextFieldID("app_proto")!
    static let dnsAnswers = TextFieldID("dns.answers")!
    static let dnsQueries = TextFieldID("dns.queries")!
    static let dnsRcode = TextFieldID("dns.rcode")!
    static let dnsName = TextFieldID("dns_name")!
    static let endReason = TextFieldID("end_reason")!
    static let framings = TextFieldID("framings")!
    static let httpHost = TextFieldID("http.host")!
    static let httpJa4h = TextFieldID("http.ja4h")!
    static let httpMethod = TextFieldID("http.method")!
    static let httpTarget = TextFieldID("http.target")!
    static let httpUserAgent = TextFieldID("http.user_agent")!
    static let ipVersion = TextFieldID("ip_version")!
    static let mtprotoDcId = TextFieldID("mtproto.dc_id")!
    static let mtprotoTransport = TextFieldID("mtproto.transport")!
    static let quicVersion = TextFieldID("quic.version")!
    static let rtpPayloadTypes = TextFieldID("rtp.payload_types")!
    static let sshClientBanner = TextFieldID("ssh.client_banner")!
    static let sshHassh = TextFieldID("ssh.hassh")!
    static let sshHasshServer = TextFieldID("ssh.hassh_server")!
    static let sshJa4ssh = TextFieldID("ssh.ja4ssh")!
    static let sshServerBanner = TextFieldID("ssh.server_banner")!
    static let stunMethods = TextFieldID("stun.methods")!
    static let stunRealm = TextFieldID("stun.realm")!
    static let stunSoftware = TextFieldID("stun.software")!
    static let tcpJa4t = TextFieldID("tcp.ja4t")!
    static let tcpJa4ts = TextFieldID("tcp.ja4ts")!
    static let tcpHandshake = TextFieldID("tcp_handshake")!
    static let tlsAlpn = TextFieldID("tls.alpn")!
    static let tlsAlpnSelected = TextFieldID("tls.alpn_selected")!
    static let tlsCertificatesIssuer = TextFieldID("tls.certificates.issuer")!
    static let tlsCertificatesJa4x = TextFieldID("tls.certificates.ja4x")!
    static let tlsCertificatesSan = TextFieldID("tls.certificates.san")!
    static let tlsCertificatesSerial = TextFieldID("tls.certificates.serial")!
    static let tlsCertificatesSha256 = TextFieldID("tls.certificates.sha256")!
    static let tlsCertificatesSubject = TextFieldID("tls.certificates.subject")!
    static let tlsCipher = TextFieldID("tls.cipher")!
    static let tlsEch = TextFieldID("tls.ech")!
    static let tlsJa3 = TextFieldID("tls.ja3")!
    static let tlsJa3s = TextFieldID("tls.ja3s")!
    static let tlsJa4 = TextFieldID("tls.ja4")!
    static let tlsJa4R = TextFieldID("tls.ja4_r")!
    static let tlsJa4s = TextFieldID("tls.ja4s")!
    static let tlsJa4sR = TextFieldID("tls.ja4s_r")!
    static let tlsSni = TextFieldID("tls.sni")!
    static let tlsVersion = TextFieldID("tls.version")!
    static let tunnelType = TextFieldID("tunnel.type")!
}

/// Flattens a flow's summary and evidence into the named fields rules match on.
public enum FactsBuilder {
    public static func facts(_ flow: FlowSummary, evidence: FlowEvidence?) -> FlowFacts {
        var facts = FlowFacts(
            proto: ProtocolNames.name(flow.proto),
            sourceAddress: flow.clientAddress, sourcePort: flow.clientPort,
            destinationAddress: flow.serverAddress, destinationPort: flow.serverPort,
            payloadLengths: flow.payloadLengths)
        facts[.packetsC2S] = Int64(flow.c2s.packets)
        facts[.packetsS2C] = Int64(flow.s2c.packets)
        facts[.bytesC2S] = Int64(flow.c2s.ipBytes)
        facts[.bytesS2C] = Int64(flow.s2c.ipBytes)
        facts[.payloadC2S] = Int64(flow.c2s.payloadBytes)
        facts[.payloadS2C] = Int64(flow.s2c.payloadBytes)
        facts[.durationMS] = flow.duration / 1_000_000
        func put(_ field: TextFieldID, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            facts.append(value, to: field)
        }
        put(F.endReason, flow.endReason.name)
        put(F.ipVersion, String(flow.ipVersion))
        if flow.proto == IPProtocol.tcp { put(F.tcpHandshake, ProtocolNames.tcpHandshake(flow.tcp)) }
        put(F.tunnelType, flow.tunnel?.kind.name)
        guard let evidence else { return facts }
        facts.appProto = evidence.appProto?.name
        put(F.appProto, evidence.appProto?.name)
        if let tls = evidence.tls {
            put(F.tlsSni, tls.sni)
            for alpn in tls.alpn { put(F.tlsAlpn, alpn) }
            put(F.tlsAlpnSelected, tls.alpnSelected)
            put(F.tlsVersion, tls.version)
            put(F.tlsJa3, tls.ja3)
            put(F.tlsJa3s, tls.ja3s)
            put(F.tlsJa4, tls.ja4)
            put(F.tlsJa4R, tls.ja4r)
            put(F.tlsJa4s, tls.ja4s)
            put(F.tlsJa4sR, tls.ja4sr)
            put(F.tlsCipher, tls.cipher)
            if tls.sawClientHello { put(F.tlsEch, tls.ech ? "true" : "false") }
            for certificate in tls.certificates {
                put(F.tlsCertificatesIssuer, certificate.issuer)
                put(F.tlsCertificatesSubject, certificate.subject)
                for san in certificate.san { put(F.tlsCertificatesSan, san) }
                put(F.tlsCertificatesSha256, certificate.sha256)
                put(F.tlsCertificatesSerial, certificate.serial)
                put(F.tlsCertificatesJa4x, certificate.ja4x)
            }
        }
        put(F.quicVersion, evidence.quicVersion)
        put(F.tcpJa4t, evidence.ja4t)
        put(F.tcpJa4ts, evidence.ja4ts)
        if let dns = evidence.dns {
            for query in dns.queries { put(F.dnsQueries, query.name) }
            for answer in dns.answers { put(F.dnsAnswers, answer.data) }
            put(F.dnsRcode, dns.rcode)
        }
        put(F.dnsName, evidence.dnsName)
        if let http = evidence.http {
            put(F.httpHost, http.host)
            put(F.httpUserAgent, http.userAgent)
            put(F.httpMethod, http.method)
            put(F.httpTarget, http.target)
            for ja4h in http.ja4h { put(F.httpJa4h, ja4h) }
        }
        if let ssh = evidence.ssh {
            put(F.sshClientBanner, ssh.clientBanner)
            put(F.sshServerBanner, ssh.serverBanner)
            put(F.sshHassh, ssh.hassh)
            put(F.sshHasshServer, ssh.hasshServer)
            for fingerprint in ssh.ja4ssh { put(F.sshJa4ssh, fingerprint) }
        }
        if let stun = evidence.stun {
            put(F.stunRealm, stun.realm)
            put(F.stunSoftware, stun.software)
            for method in stun.methods { put(F.stunMethods, method) }
            facts.stunAttributes = stun.attributes
        }
        put(F.mtprotoTransport, evidence.mtproto?.transport)
        put(F.mtprotoDcId, evidence.mtproto?.dcID.map { String($0) })
        for type in evidence.rtp?.payloadTypes ?? [] { put(F.rtpPayloadTypes, String(type)) }
        for framing in evidence.framings { put(F.framings, framing) }
        facts.firstPayload = evidence.firstPayloads
        return facts
    }
}

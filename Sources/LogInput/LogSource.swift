import Schema

/// Which tool wrote the logs, and which facts its logs carry (`providedFields`):
/// a rule that needs any other fact is not applicable to these logs.
public enum LogSource: String, Sendable, CaseIterable {
    case eve
    case zeek

    public var displayName: String {
        switch self {
        case .eve: "Suricata EVE"
        case .zeek: "Zeek"
        }
    }

    /// Facts both sources carry: the 5-tuple, times, packet counts, the
    /// application protocol, TLS names and JA3/JA4, certificates (subject, issuer,
    /// SAN, serial, validity), QUIC version, DNS queries and answers (and so
    /// `dns_name` of later flows), HTTP request line and headers, SSH banners and HASSH.
    static let common: Set<Field> = [
        .flowID, .communityID, .proto, .srcIP, .srcPort, .dstIP, .dstPort, .anyIP, .anyPort, .ipVersion,
        .firstSeen, .lastSeen, .duration, .durationMS, .packetsC2S, .packetsS2C, .sourceFile, .firstFrame,
        .tcpHandshake, .tcpFlagsC2S, .tcpFlagsS2C,
        .appProto, .tls, .tlsVersion, .tlsSNI, .tlsJA3, .tlsJA3S, .tlsJA4,
        .tlsCertificates, .tlsCertificateSubject, .tlsCertificateIssuer, .tlsCertificateSAN,
        .tlsCertificateNotBefore, .tlsCertificateNotAfter, .tlsCertificateSerial,
        .quic, .quicVersion,
        .dns, .dnsQueries, .dnsQueryName, .dnsQueryType, .dnsAnswers, .dnsAnswerName, .dnsAnswerType, .dnsAnswerData,
        .dnsAnswerTTL, .dnsRcode, .dnsName,
        .http, .httpHost, .httpMethod, .httpTarget, .httpUserAgent,
        .ssh, .sshClientBanner, .sshServerBanner, .sshHASSH, .sshHASSHServer,
    ]

    /// The `app_proto` values flows from these logs can have.
    public var appProtocols: Set<String> { ["tls", "quic", "dns", "http", "ssh"] }

    /// The fields these logs fill (for rules: the facts a rule may rely on).
    /// Not in either: payload bytes and lengths (`payload:`/`sequence:`
    /// conditions), JA4T/JA4TS, JA4X, JA4H, JA4SSH, STUN, RTP, MTProto, framings,
    /// tunnels, VLANs, ECH; `end_reason` is filled but only approximately (see the
    /// README), so rules cannot rely on it.
    public var providedFields: Set<Field> {
        switch self {
        case .eve:
            // Byte counts are whole frames (link layer included), not cipherscope's IP
            // bytes: written to bytes_c2s/bytes_s2c but not given to rules.
            LogSource.common.union([.tlsJA3String, .tlsJA3SString, .tlsALPN, .tlsALPNSelected, .quicUserAgent])
        case .zeek:
            // orig_ip_bytes/resp_ip_bytes are IP bytes as cipherscope counts them;
            // orig_bytes/resp_bytes the payload. ssl.log's cipher is a name, not the
            // code cipherscope writes; JA4S only with FoxIO's package; SHA-256 from x509.log.
            LogSource.common.union([.bytesC2S, .bytesS2C, .payloadC2S, .payloadS2C, .tlsALPNSelected, .tlsJA4S,
                                    .tlsCertificateSHA256])
        }
    }
}

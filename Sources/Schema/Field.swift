/// Every field of a flow record, declared once. The JSON Lines object, the CSV
/// columns, the table's headline, the fingerprint line, the rule compiler's field
/// table and the classifier's facts are all derived from these declarations
/// (`Field.declaration`); the protocol that fills a field describes it with
/// `FieldSink` calls naming the case, so a misspelt field does not compile.
///
/// Order matters: the cases are in the order of the JSON object's keys (a nested
/// object's members follow it), and CSV columns and fingerprint keys keep it.
/// Names are a contract with partners' scripts: extend, never rename.
public enum Field: Int, CaseIterable, Sendable, Hashable {
    // The flow, from the flow table.
    case flowID, communityID, proto, srcIP, srcPort, dstIP, dstPort, vlan
    case tunnel, tunnelType, tunnelID, tunnelOuterSrcIP, tunnelOuterDstIP, tunnelDepth
    case firstSeen, lastSeen, duration
    case packetsC2S, packetsS2C, bytesC2S, bytesS2C, payloadC2S, payloadS2C
    case endReason, sourceFile, firstFrame, firstOffset, ipVersion, splitIndex, splitOf
    case tcpFlagsC2S, tcpFlagsS2C, tcpHandshake, icmpType, icmpCode, payloadLengths, payloadGapsUS
    // What the first packets told (Inspection's protocol units).
    case appProto
    case tls, tlsVersion, tlsSNI, tlsALPN, tlsALPNSelected, tlsCipher, tlsJA3, tlsJA3String, tlsJA3S, tlsJA3SString
    case tlsJA4, tlsJA4R, tlsJA4S, tlsJA4SR, tlsECH
    case tlsCertificates, tlsCertificateSubject, tlsCertificateIssuer, tlsCertificateSAN, tlsCertificateNotBefore
    case tlsCertificateNotAfter, tlsCertificateSerial, tlsCertificateSHA256, tlsCertificateJA4X
    case quic, quicVersion, quicUserAgent
    case tcp, tcpJA4T, tcpJA4TS
    case dns, dnsQueries, dnsQueryName, dnsQueryType, dnsQueryCount, dnsQueriesDropped, dnsAnswers, dnsAnswerName, dnsAnswerType, dnsAnswerData, dnsAnswerTTL, dnsRcode
    case dnsName
    case http, httpHost, httpMethod, httpTarget, httpUserAgent, httpJA4H
    case httpRequestCount, httpRequests, httpRequestMethod, httpRequestHost, httpRequestURI, httpRequestVersion
    case httpRequestUserAgent, httpRequestJA4H
    case proxy, proxyType, proxyTargetHost, proxyTargetPort
    case ssh, sshClientBanner, sshServerBanner, sshHASSH, sshHASSHServer, sshJA4SSH
    case stun, stunRealm, stunSoftware, stunAttributes, stunMethods, stunMapped, stunRelayed, stunPeer, stunMessages
    case rtp, rtpPayloadTypes, rtpSSRCCount, rtpPackets, rtcpPackets
    case mtproto, mtprotoTransport, mtprotoDCID
    case framings
    // The label (Classifier).
    case platform, service, confidence, rules, evidence, evidenceField, evidenceValue, evidenceRule, evidenceCrossFlow, activity
    // Fields only rules read (no output of their own).
    case anyIP, anyPort, durationMS

    /// The declaration: name, kind and projections.
    public var declaration: FieldDeclaration {
        switch self {
        case .flowID: FieldDeclaration("flow_id", .number, eve: "flow_id", ecs: "event.id")
        case .communityID: FieldDeclaration("community_id", .text, eve: "community_id", ecs: "network.community_id")
        case .proto: FieldDeclaration("proto", .text, rule: .text, eve: "proto", ecs: ["network.transport", "network.iana_number"])
        case .srcIP: FieldDeclaration("src_ip", .address, rule: .address, eve: "src_ip", ecs: ["source.ip", "source.address", "related.ip[]"])
        case .srcPort: FieldDeclaration("src_port", .number, rule: .number, eve: "src_port", ecs: "source.port")
        case .dstIP: FieldDeclaration("dst_ip", .address, rule: .address, eve: "dest_ip", ecs: ["destination.ip", "related.ip[]"])
        case .dstPort: FieldDeclaration("dst_port", .number, rule: .number, eve: "dest_port", ecs: "destination.port")
        case .vlan: FieldDeclaration("vlan", .numbers, eve: "vlan")
        case .tunnel: FieldDeclaration("tunnel", .object, csv: false)
        case .tunnelType: FieldDeclaration("tunnel.type", .text, csvColumn: "tunnel", rule: .text)
        case .tunnelID: FieldDeclaration("tunnel.id", .number, csv: false)
        case .tunnelOuterSrcIP: FieldDeclaration("tunnel.outer_src_ip", .address, csv: false)
        case .tunnelOuterDstIP: FieldDeclaration("tunnel.outer_dst_ip", .address, csv: false)
        case .tunnelDepth: FieldDeclaration("tunnel.depth", .number, csv: false)
        case .firstSeen: FieldDeclaration("first_seen", .time, eve: ["timestamp", "flow.start"], ecs: ["@timestamp", "event.start"])
        case .lastSeen: FieldDeclaration("last_seen", .time, eve: "flow.end", ecs: "event.end")
        case .duration: FieldDeclaration("duration", .seconds, eve: "flow.age", ecs: "event.duration")
        case .packetsC2S: FieldDeclaration("packets_c2s", .number, rule: .counter, eve: "flow.pkts_toserver", ecs: "source.packets")
        case .packetsS2C: FieldDeclaration("packets_s2c", .number, rule: .counter, eve: "flow.pkts_toclient", ecs: "destination.packets")
        case .bytesC2S: FieldDeclaration("bytes_c2s", .number, rule: .counter, eve: "flow.bytes_toserver", ecs: "source.bytes")
        case .bytesS2C: FieldDeclaration("bytes_s2c", .number, rule: .counter, eve: "flow.bytes_toclient", ecs: "destination.bytes")
        case .payloadC2S: FieldDeclaration("payload_c2s", .number, rule: .counter)
        case .payloadS2C: FieldDeclaration("payload_s2c", .number, rule: .counter)
        case .endReason: FieldDeclaration("end_reason", .text, rule: .text, eve: ["flow.state", "flow.reason", "cipherscope.end_reason"])
        case .sourceFile: FieldDeclaration("source_file", .text, eve: "pcap_filename")
        case .firstFrame: FieldDeclaration("first_frame", .number)
        // Byte offset of the first frame's record in `source_file` (absent without a file):
        // a pointer for programs, not a spreadsheet column.
        case .firstOffset: FieldDeclaration("first_offset", .number, csv: false)
        case .ipVersion: FieldDeclaration("ip_version", .number, csv: false, rule: .text, eve: "ip_v", ecs: "network.type")
        case .splitIndex: FieldDeclaration("split_index", .number, csv: false)
        case .splitOf: FieldDeclaration("split_of", .number, csv: false)
        case .tcpFlagsC2S: FieldDeclaration("tcp_flags_c2s", .text, csv: false)
        case .tcpFlagsS2C: FieldDeclaration("tcp_flags_s2c", .text, csv: false)
        case .tcpHandshake: FieldDeclaration("tcp_handshake", .text, csv: false, rule: .text)
        case .icmpType: FieldDeclaration("icmp_type", .number, csv: false, eve: "icmp_type")
        case .icmpCode: FieldDeclaration("icmp_code", .number, csv: false, eve: "icmp_code")
        case .payloadLengths: FieldDeclaration("payload_lengths", .numbers, csv: false)
        case .payloadGapsUS: FieldDeclaration("payload_gaps_us", .numbers, csv: false)

        case .appProto: FieldDeclaration("app_proto", .text, csv: true, rule: .text, eve: "app_proto", ecs: "network.protocol")
        case .tls: FieldDeclaration("tls", .object)
        case .tlsVersion: FieldDeclaration("tls.version", .text, rule: .text, eve: "tls.version", ecs: ["tls.version", "tls.version_protocol"])
        case .tlsSNI: FieldDeclaration("tls.sni", .text, csv: true, fingerprint: true, headline: 1, rule: .domain, eve: "tls.sni", ecs: ["tls.client.server_name", "destination.domain"])
        case .tlsALPN: FieldDeclaration("tls.alpn", .texts, rule: .text, eve: "tls.client_alpns")
        case .tlsALPNSelected: FieldDeclaration("tls.alpn_selected", .text, rule: .text, eve: "tls.server_alpns", ecs: "tls.next_protocol")
        case .tlsCipher: FieldDeclaration("tls.cipher", .text, rule: .text)
        case .tlsJA3: FieldDeclaration("tls.ja3", .text, csv: true, fingerprint: true, rule: .text, eve: "tls.ja3.hash", ecs: "tls.client.ja3")
        case .tlsJA3String: FieldDeclaration("tls.ja3_string", .text, eve: "tls.ja3.string")
        case .tlsJA3S: FieldDeclaration("tls.ja3s", .text, fingerprint: true, rule: .text, eve: "tls.ja3s.hash", ecs: "tls.server.ja3s")
        case .tlsJA3SString: FieldDeclaration("tls.ja3s_string", .text, eve: "tls.ja3s.string")
        case .tlsJA4: FieldDeclaration("tls.ja4", .text, csv: true, fingerprint: true, headline: 9, rule: .text, eve: "tls.ja4", ecs: "tls.client.ja4")
        case .tlsJA4R: FieldDeclaration("tls.ja4_r", .text, rule: .text)
        case .tlsJA4S: FieldDeclaration("tls.ja4s", .text, csv: true, fingerprint: true, rule: .text)
        case .tlsJA4SR: FieldDeclaration("tls.ja4s_r", .text, rule: .text)
        case .tlsECH: FieldDeclaration("tls.ech", .bool, rule: .text)
        case .tlsCertificates: FieldDeclaration("tls.certificates", .objects)
        case .tlsCertificateSubject: FieldDeclaration("tls.certificates.subject", .text, rule: .text, eve: "tls.subject", ecs: "tls.server.subject")
        case .tlsCertificateIssuer: FieldDeclaration("tls.certificates.issuer", .text, rule: .text, eve: "tls.issuerdn", ecs: "tls.server.issuer")
        case .tlsCertificateSAN: FieldDeclaration("tls.certificates.san", .texts, rule: .domain, eve: "tls.subjectaltname")
        case .tlsCertificateNotBefore: FieldDeclaration("tls.certificates.not_before", .text, eve: "tls.notbefore")
        case .tlsCertificateNotAfter: FieldDeclaration("tls.certificates.not_after", .text, eve: "tls.notafter")
        case .tlsCertificateSerial: FieldDeclaration("tls.certificates.serial", .text, rule: .text, eve: "tls.serial", ecs: "tls.server.x509.serial_number")
        case .tlsCertificateSHA256: FieldDeclaration("tls.certificates.sha256", .text, rule: .text)
        case .tlsCertificateJA4X: FieldDeclaration("tls.certificates.ja4x", .text, fingerprint: true, rule: .text)
        case .quic: FieldDeclaration("quic", .object)
        case .quicVersion: FieldDeclaration("quic.version", .text, csv: true, rule: .text, eve: "quic.version")
        case .quicUserAgent: FieldDeclaration("quic.user_agent", .text, rule: .text, eve: "quic.ua")
        case .tcp: FieldDeclaration("tcp", .object)
        case .tcpJA4T: FieldDeclaration("tcp.ja4t", .text, fingerprint: true, rule: .text)
        case .tcpJA4TS: FieldDeclaration("tcp.ja4ts", .text, fingerprint: true, rule: .text)
        case .dns: FieldDeclaration("dns", .object)
        case .dnsQueries: FieldDeclaration("dns.queries", .objects, eve: "dns.queries[]")
        case .dnsQueryName: FieldDeclaration("dns.queries.name", .text, headline: 2, rule: .domain, ruleName: "dns.queries", eve: "dns.queries[].rrname", ecs: "dns.question.name")
        case .dnsQueryType: FieldDeclaration("dns.queries.type", .text, eve: "dns.queries[].rrtype")
        // Questions in the flow's queries (QR=0), and those of them not kept in `dns.queries`.
        case .dnsQueryCount: FieldDeclaration("dns.query_count", .number)
        case .dnsQueriesDropped: FieldDeclaration("dns.queries_dropped", .number)
        case .dnsAnswers: FieldDeclaration("dns.answers", .objects, eve: "dns.answers[]")
        case .dnsAnswerName: FieldDeclaration("dns.answers.name", .text, eve: "dns.answers[].rrname")
        case .dnsAnswerType: FieldDeclaration("dns.answers.type", .text, eve: "dns.answers[].rrtype")
        case .dnsAnswerData: FieldDeclaration("dns.answers.data", .text, rule: .text, ruleName: "dns.answers", eve: "dns.answers[].rdata")
        case .dnsAnswerTTL: FieldDeclaration("dns.answers.ttl", .number, eve: "dns.answers[].ttl")
        case .dnsRcode: FieldDeclaration("dns.rcode", .text, rule: .text, eve: "dns.rcode")
        case .dnsName: FieldDeclaration("dns_name", .text, csv: true, headline: 5, rule: .domain)
        case .http: FieldDeclaration("http", .object)
        case .httpHost: FieldDeclaration("http.host", .text, csv: true, headline: 3, rule: .domain, eve: "http.hostname")
        case .httpMethod: FieldDeclaration("http.method", .text, rule: .text, eve: "http.http_method")
        case .httpTarget: FieldDeclaration("http.target", .text, rule: .text, eve: "http.url")
        case .httpUserAgent: FieldDeclaration("http.user_agent", .text, rule: .text, eve: "http.http_user_agent")
        case .httpJA4H: FieldDeclaration("http.ja4h", .texts, fingerprint: true, rule: .text)
        // Every request of the connection (HTTP/1.x keep-alive, h2c), the first ones kept:
        // the count of requests seen, and the kept requests' fields.
        case .httpRequestCount: FieldDeclaration("http.request_count", .number)
        case .httpRequests: FieldDeclaration("http.requests", .objects)
        case .httpRequestMethod: FieldDeclaration("http.requests.method", .text)
        case .httpRequestHost: FieldDeclaration("http.requests.host", .text)
        case .httpRequestURI: FieldDeclaration("http.requests.uri", .text)
        case .httpRequestVersion: FieldDeclaration("http.requests.version", .text)
        case .httpRequestUserAgent: FieldDeclaration("http.requests.user_agent", .text)
        case .httpRequestJA4H: FieldDeclaration("http.requests.ja4h", .text)
        case .proxy: FieldDeclaration("proxy", .object)
        case .proxyType: FieldDeclaration("proxy.type", .text, rule: .text)
        case .proxyTargetHost: FieldDeclaration("proxy.target_host", .text, headline: 11, rule: .domain)
        case .proxyTargetPort: FieldDeclaration("proxy.target_port", .number, rule: .number)
        case .ssh: FieldDeclaration("ssh", .object)
        case .sshClientBanner: FieldDeclaration("ssh.client_banner", .text, headline: 6, rule: .text, eve: ["ssh.client.proto_version", "ssh.client.software_version"])
        case .sshServerBanner: FieldDeclaration("ssh.server_banner", .text, headline: 7, rule: .text, eve: ["ssh.server.proto_version", "ssh.server.software_version"])
        case .sshHASSH: FieldDeclaration("ssh.hassh", .text, csv: true, fingerprint: true, rule: .text, eve: "ssh.client.hassh.hash")
        case .sshHASSHServer: FieldDeclaration("ssh.hassh_server", .text, fingerprint: true, rule: .text, eve: "ssh.server.hassh.hash")
        case .sshJA4SSH: FieldDeclaration("ssh.ja4ssh", .texts, fingerprint: true, rule: .text)
        case .stun: FieldDeclaration("stun", .object)
        case .stunRealm: FieldDeclaration("stun.realm", .text, headline: 4, rule: .text)
        case .stunSoftware: FieldDeclaration("stun.software", .text, rule: .text)
        case .stunAttributes: FieldDeclaration("stun.attributes", .numbers, rule: .number)
        case .stunMethods: FieldDeclaration("stun.methods", .texts, rule: .text)
        case .stunMapped: FieldDeclaration("stun.mapped", .endpoints)
        case .stunRelayed: FieldDeclaration("stun.relayed", .endpoints)
        case .stunPeer: FieldDeclaration("stun.peer", .endpoints)
        case .stunMessages: FieldDeclaration("stun.messages", .number)
        case .rtp: FieldDeclaration("rtp", .object)
        case .rtpPayloadTypes: FieldDeclaration("rtp.payload_types", .numbers, rule: .text)
        case .rtpSSRCCount: FieldDeclaration("rtp.ssrc_count", .number)
        case .rtpPackets: FieldDeclaration("rtp.rtp_packets", .number)
        case .rtcpPackets: FieldDeclaration("rtp.rtcp_packets", .number)
        case .mtproto: FieldDeclaration("mtproto", .object)
        case .mtprotoTransport: FieldDeclaration("mtproto.transport", .text, headline: 8, rule: .text)
        case .mtprotoDCID: FieldDeclaration("mtproto.dc_id", .number, rule: .text)
        case .framings: FieldDeclaration("framings", .texts, csv: false, headline: 10, rule: .text)

        case .platform: FieldDeclaration("platform", .text, csv: true, ecs: ["network.application", "cipherscope.platform"])
        case .service: FieldDeclaration("service", .text, csv: true)
        case .confidence: FieldDeclaration("confidence", .text, csv: true)
        case .rules: FieldDeclaration("rules", .texts, csv: false)
        case .evidence: FieldDeclaration("evidence", .objects)
        case .evidenceField: FieldDeclaration("evidence.field", .text)
        case .evidenceValue: FieldDeclaration("evidence.value", .text)
        case .evidenceRule: FieldDeclaration("evidence.rule", .text, ecs: ["rule.id[]", "cipherscope.evidence[].rule"])
        case .evidenceCrossFlow: FieldDeclaration("evidence.cross_flow", .text)
        case .activity: FieldDeclaration("activity", .text, csv: true)

        case .anyIP: FieldDeclaration("any_ip", .address, output: false, rule: .address)
        case .anyPort: FieldDeclaration("any_port", .number, output: false, rule: .number)
        case .durationMS: FieldDeclaration("duration_ms", .number, output: false, rule: .counter)
        }
    }
}

/// What one field is and where it goes.
public struct FieldDeclaration: Sendable {
    /// The dotted name: the JSON path (`tls.sni`, `tls.certificates.san`).
    public let name: String
    public let kind: FieldKind
    /// Written in the JSON object (false for fields only rules read).
    public let output: Bool
    /// The CSV column's header, when the field is a CSV column.
    public let csvColumn: String?
    /// Part of the `fingerprints` line (under its JSON key).
    public let fingerprint: Bool
    /// Rank among the candidates for the table's one-fact "WHAT" column (1 first), or 0.
    public let headline: Int
    /// How rules read the field, if they may.
    public let rule: RuleKind?
    /// The name rules use, when it is not the dotted name (`dns.queries` for the query names).
    public let ruleName: String?
    /// Where the field goes in Suricata's EVE JSON (`--format eve`), and in the Elastic
    /// Common Schema (`--format ecs`): dotted paths from the record's root, none when the
    /// format has no place for it (then it goes under `cipherscope.` at its own name).
    /// See `ProjectionPaths` for the path syntax.
    public let eve: ProjectionPaths
    public let ecs: ProjectionPaths

    /// Flat (top-level) fields are CSV columns unless `csv: false`; nested ones only with `csv: true`.
    init(_ name: String, _ kind: FieldKind, output: Bool = true, csv: Bool? = nil, csvColumn: String? = nil,
         fingerprint: Bool = false, headline: Int = 0, rule: RuleKind? = nil, ruleName: String? = nil,
         eve: ProjectionPaths = [], ecs: ProjectionPaths = []) {
        self.name = name
        self.kind = kind
        self.output = output
        let flat = !name.contains(".")
        let isColumn = output && kind != .object && kind != .objects && (csv ?? (flat || csvColumn != nil))
        self.csvColumn = isColumn ? (csvColumn ?? name) : nil
        self.fingerprint = fingerprint
        self.headline = headline
        self.rule = rule
        self.ruleName = ruleName
        self.eve = eve
        self.ecs = ecs
    }

    /// The JSON member name: the last component of the dotted name.
    public var key: Substring { name.split(separator: ".").last ?? Substring(name) }
    /// The dotted name of the object holding this field, or nil at the top level.
    public var parent: Substring? {
        guard let dot = name.lastIndex(of: ".") else { return nil }
        return name[..<dot]
    }
}

/// Where a field goes in another tool's schema (EVE, ECS): one or more dotted paths
/// from the record's root (`tls.sni`; `["timestamp", "flow.start"]` when the value
/// goes to two places; the writer converts the value per path where the format
/// wants another form). A `[]` component appends to an array there: the items of a
/// list field (`dns.queries[]`, its members `dns.queries[].rrname`), or a value
/// (`related.ip[]`, duplicates left out). A list field without a path keeps only its
/// first item's members at their (plain) paths: `tls.subject` is the first
/// certificate's. Everything else goes under `cipherscope.` with its own name.
public struct ProjectionPaths: Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral {
    public let paths: [String]
    public init(stringLiteral value: String) { paths = [value] }
    public init(arrayLiteral elements: String...) { paths = elements }
}

/// The shape of a field's values.
public enum FieldKind: Sendable, Hashable {
    case text, texts, number, numbers, bool, address, time, seconds
    /// `address:port` (`[v6]:port`) texts.
    case endpoints
    /// A nested object, or a list of them; their members are the fields named below them.
    case object, objects
}

/// How rules read a field.
public enum RuleKind: Sendable, Hashable {
    /// Text compared as given.
    case text
    /// A domain name: compared in lower case, without a trailing dot, suffix on label boundaries.
    case domain
    /// An IP address (CIDR conditions).
    case address
    /// A number (exact or range conditions).
    case number
    /// A flow counter (`counter:` conditions).
    case counter
}

extension Field {
    /// The declarations, by `rawValue` (computed once).
    public static let declarations: [FieldDeclaration] = allCases.map(\.declaration)

    /// The name rules use for this field.
    public var ruleName: String { Field.declarations[rawValue].ruleName ?? Field.declarations[rawValue].name }

    /// The field called `name` (dotted), if any.
    public init?(name: String) {
        guard let field = Field.byName[name] else { return nil }
        self = field
    }

    /// The field rules call `name`, if any.
    public init?(ruleName: String) {
        guard let field = Field.byRuleName[ruleName] else { return nil }
        self = field
    }

    static let byName: [String: Field] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.declaration.name, $0) })
    static let byRuleName: [String: Field] = Dictionary(
        uniqueKeysWithValues: allCases.filter { $0.declaration.rule != nil }.map { ($0.ruleName, $0) })

    /// The CSV columns, in order.
    public static let csvColumns: [Field] = allCases.filter { declarations[$0.rawValue].csvColumn != nil }
    /// Rule fields, sorted by the name rules use.
    public static let ruleFields: [Field] = allCases.filter { declarations[$0.rawValue].rule != nil }.sorted { $0.ruleName < $1.ruleName }
}

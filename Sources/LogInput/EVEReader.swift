import Decoding
import Flows
import Inspection
import Reports
import Schema

/// Reads Suricata eve.json files: each `event_type: flow` record becomes a flow,
/// joined by `flow_id` with the `tls`, `quic`, `dns`, `http` and `ssh` events of
/// the same flow (before it, as Suricata writes them, or after it while the flow
/// is still in the classifier's window). Other event types are skipped.
///
/// Bounded: app-layer events waiting for their flow record are held for at most
/// `maximumPending` flow ids; beyond that the oldest are dropped (counted as
/// unjoined), as are those still waiting at the end (Suricata without flow logging).
public struct EVEReader {
    public static let maximumPending = 65_536

    let classifier: LogClassifier
    let maximumLineLength: Int
    let maximumPending: Int

    /// Evidence waiting for its flow record, by flow id, and the order it came in.
    private var pending: [String: (evidence: FlowEvidence, answerTime: Int64?)] = [:]
    private var order: [String] = []
    private var orderStart = 0
    public private(set) var unjoined = 0
    public private(set) var skippedEvents = 0

    public init(classifier: LogClassifier, maximumLineLength: Int = LineReader.defaultMaximumLength,
                maximumPending: Int = EVEReader.maximumPending) {
        self.classifier = classifier
        self.maximumLineLength = maximumLineLength
        self.maximumPending = max(1, maximumPending)
    }

    /// Reads one file; every bad line is reported (`onError`) and skipped.
    public mutating func read(path: String, onError: (LogInputError) -> Void) {
        var errors: [String] = []
        var records: UInt64 = 0
        var suppressed = 0
        func fail(_ error: LogInputError) {
            // A file of garbage must not fill memory or the terminal: the first errors are told, the rest counted.
            guard errors.count < LineReader.maximumErrorsPerFile else { suppressed += 1; return }
            errors.append(error.description)
            onError(error)
        }
        let reader: LineReader
        do {
            reader = try LineReader(path: path, maximumLength: maximumLineLength)
        } catch {
            fail(error)
            classifier.noteFile(.init(path: path, format: "unreadable", linkType: -1, frames: 0, filtered: 0, error: error.message), errors: errors)
            return
        }
        var fileError: String?
        reading: while true {
            switch reader.next() {
            case .end:
                break reading
            case .failed(let message):
                fail(LogInputError(file: path, line: 0, message: message))
                fileError = message
                break reading
            case .tooLong(let number, let length):
                fail(LogInputError(file: path, line: number, message: "line of \(length) bytes is longer than \(maximumLineLength); skipped"))
            case .line(let number, let bytes):
                if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                do {
                    let record = try JSONParser.parse(bytes)
                    try handle(record, path: path, line: number)
                    records += 1
                } catch let error as JSONError {
                    fail(LogInputError(file: path, line: number, message: "not JSON: \(error)"))
                } catch let error as LogInputError {
                    fail(error)
                } catch {
                    fail(LogInputError(file: path, line: number, message: "\(error)"))
                }
            }
        }
        if suppressed > 0 { LineReader.noteSuppressed(suppressed, path: path, errors: &errors, onError: onError) }
        classifier.noteFile(.init(path: path, format: "eve", linkType: -1, frames: records, filtered: 0, error: fileError), errors: errors)
    }

    /// Counts what never met its flow record (call after the last file).
    public mutating func finish() {
        unjoined += pending.count
        pending.removeAll()
        order.removeAll()
        orderStart = 0
    }

    private mutating func handle(_ record: JSONValue, path: String, line: Int) throws {
        guard record.isObject else { throw LogInputError(file: path, line: line, message: "not a JSON object") }
        guard let eventType = record["event_type"]?.string else { throw LogInputError(file: path, line: line, message: "no event_type") }
        let flowKey = record["flow_id"]?.string
        switch eventType {
        case "flow":
            guard let flowKey else { throw LogInputError(file: path, line: line, message: "flow record without flow_id") }
            var flow = try EVEReader.flow(record, path: path, line: line)
            if let waiting = pending.removeValue(forKey: flowKey) {
                EVEReader.merge(waiting.evidence, into: &flow.evidence)
                flow.answerTime = waiting.answerTime ?? flow.answerTime
            }
            classifier.add(flow, key: flowKey, keepID: true)
        case "tls", "quic", "dns", "http", "ssh":
            guard let flowKey else { throw LogInputError(file: path, line: line, message: "\(eventType) record without flow_id") }
            var evidence = FlowEvidence()
            var answerTime: Int64?
            try EVEReader.apply(eventType, record, to: &evidence, answerTime: &answerTime, path: path, line: line)
            if classifier.join(key: flowKey, { flow in
                EVEReader.merge(evidence, into: &flow.evidence)
                if answerTime != nil { flow.answerTime = answerTime }
            }) { return }
            if var waiting = pending[flowKey] {
                EVEReader.merge(evidence, into: &waiting.evidence)
                waiting.answerTime = answerTime ?? waiting.answerTime
                pending[flowKey] = waiting
            } else {
                pending[flowKey] = (evidence, answerTime)
                order.append(flowKey)
                evictIfFull()
            }
        default:
            skippedEvents += 1
        }
    }

    private mutating func evictIfFull() {
        while pending.count > maximumPending && orderStart < order.count {
            if pending.removeValue(forKey: order[orderStart]) != nil { unjoined += 1 }
            orderStart += 1
        }
        if orderStart > maximumPending {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }

    /// The flow of an `event_type: flow` record.
    static func flow(_ record: JSONValue, path: String, line: Int) throws -> LogFlow {
        func bad(_ message: String) -> LogInputError { LogInputError(file: path, line: line, message: message) }
        guard let protoText = record["proto"]?.string, let proto = EvidenceMapping.protocolNumber(protoText) else { throw bad("no or unknown proto") }
        guard let source = record["src_ip"]?.string.flatMap({ IPAddress($0) }) else { throw bad("no or bad src_ip") }
        guard let destination = record["dest_ip"]?.string.flatMap({ IPAddress($0) }) else { throw bad("no or bad dest_ip") }
        let sourcePort = UInt16(clamping: max(0, record["src_port"]?.integer ?? 0))
        let destinationPort = UInt16(clamping: max(0, record["dest_port"]?.integer ?? 0))
        guard let flowObject = record["flow"], flowObject.isObject else { throw bad("flow record without a flow object") }
        guard let start = flowObject["start"]?.string.flatMap(LogTime.parseISO) else { throw bad("no or bad flow.start") }
        let end = flowObject["end"]?.string.flatMap(LogTime.parseISO) ?? start
        var summary = LogFlow.empty(proto: proto, client: source, clientPort: sourcePort, server: destination, serverPort: destinationPort,
                                    firstSeen: start, lastSeen: end)
        if let id = record["flow_id"]?.integer, id > 0 { summary.flowID = UInt64(id) }
        summary.c2s.packets = UInt64(clamping: max(0, flowObject["pkts_toserver"]?.integer ?? 0))
        summary.s2c.packets = UInt64(clamping: max(0, flowObject["pkts_toclient"]?.integer ?? 0))
        // Whole frames, link layer included (EVE counts p->pktlen); see the README.
        summary.c2s.ipBytes = UInt64(clamping: max(0, flowObject["bytes_toserver"]?.integer ?? 0))
        summary.s2c.ipBytes = UInt64(clamping: max(0, flowObject["bytes_toclient"]?.integer ?? 0))
        if proto == IPProtocol.icmp || proto == IPProtocol.icmpv6 {
            summary.icmpType = UInt8(clamping: max(0, record["icmp_type"]?.integer ?? 0))
            summary.icmpCode = UInt8(clamping: max(0, record["icmp_code"]?.integer ?? 0))
        }
        var sawFin = false, sawRst = false
        if let tcp = record["tcp"], tcp.isObject {
            let client = EvidenceMapping.hexByte(tcp["tcp_flags_ts"]?.string ?? "")
            let server = EvidenceMapping.hexByte(tcp["tcp_flags_tc"]?.string ?? "")
            summary.c2s.tcpFlags = client
            summary.s2c.tcpFlags = server
            summary.tcp = EvidenceMapping.progress(clientFlags: client, serverFlags: server)
            sawRst = tcp["rst"] == .bool(true) || (client | server) & 0x04 != 0
            sawFin = tcp["fin"] == .bool(true) || (client & server & 0x01) != 0
        }
        summary.endReason = if sawRst { .rst } else if sawFin { .fin } else {
            switch flowObject["reason"]?.string {
            case "timeout": .idle
            case "forced": .evicted
            default: .eof  // shutdown: the end of the capture
            }
        }
        var evidence = FlowEvidence()
        if let app = record["app_proto"]?.string { evidence.appProto = appProtocol(app) }
        return LogFlow(summary: summary, evidence: evidence, file: path, line: line)
    }

    /// Suricata's app_proto names that are cipherscope's.
    static func appProtocol(_ name: String) -> AppProtocol? {
        switch name.lowercased() {
        case "tls": .tls
        case "quic": .quic
        case "dns": .dns
        case "http", "http1": .http
        case "ssh": .ssh
        default: nil
        }
    }

    /// Adds one app-layer event's facts to `evidence`.
    static func apply(_ type: String, _ record: JSONValue, to evidence: inout FlowEvidence, answerTime: inout Int64?,
                      path: String, line: Int) throws {
        guard let object = record[type], object.isObject else {
            throw LogInputError(file: path, line: line, message: "\(type) record without a \(type) object")
        }
        switch type {
        case "tls":
            var tls = evidence.tls ?? .none
            applyTLS(object, to: &tls)
            if let subject = object["subject"]?.string {
                tls.certificates = [TLSCertificateEvidence.of(
                    subject: subject, issuer: object["issuerdn"]?.string ?? "",
                    san: object["subjectaltname"]?.array?.compactMap(\.string) ?? [],
                    notBefore: object["notbefore"]?.string.map(EvidenceMapping.certificateTime) ?? "",
                    notAfter: object["notafter"]?.string.map(EvidenceMapping.certificateTime) ?? "",
                    serial: object["serial"]?.string.map(EvidenceMapping.serial) ?? "", sha256: "", ja4x: nil)]
            }
            evidence.tls = tls
            if evidence.appProto == nil { evidence.appProto = .tls }
        case "quic":
            var tls = evidence.tls ?? .none
            applyTLS(object, to: &tls)
            evidence.tls = tls
            var quic = evidence.quic ?? QUICEvidence()
            if let version = object["version"]?.string { quic.version = EvidenceMapping.quicVersion(version) ?? quic.version }
            if let ua = object["ua"]?.string, !ua.isEmpty { quic.userAgent = ua }
            evidence.quic = quic
            evidence.appProto = .quic
        case "dns":
            var dns = evidence.dns ?? .none
            dns.messages += 1
            let kind = object["type"]?.string ?? ""
            for query in object["queries"]?.array ?? [] {
                EvidenceMapping.addQuery(query["rrname"]?.string ?? "", type: query["rrtype"]?.string, to: &dns)
            }
            if kind == "query" || kind == "request", let name = object["rrname"]?.string {
                EvidenceMapping.addQuery(name, type: object["rrtype"]?.string, to: &dns)
            }
            for answer in object["answers"]?.array ?? [] {
                EvidenceMapping.addAnswer(name: answer["rrname"]?.string ?? "", type: answer["rrtype"]?.string,
                                          data: answer["rdata"]?.string ?? "", ttl: answer["ttl"]?.integer, to: &dns)
            }
            if case .object(let groups)? = object["grouped"], object["answers"] == nil {
                for (rrtype, list) in groups {
                    for data in list.array ?? [] {
                        EvidenceMapping.addAnswer(name: object["rrname"]?.string ?? dns.queries.first?.name ?? "", type: rrtype,
                                                  data: data.string ?? "", ttl: nil, to: &dns)
                    }
                }
            }
            if kind == "answer", let data = object["rdata"]?.string {  // EVE v1: one event per answer
                EvidenceMapping.addAnswer(name: object["rrname"]?.string ?? "", type: object["rrtype"]?.string,
                                          data: data, ttl: object["ttl"]?.integer, to: &dns)
            }
            if kind == "answer" || kind == "response" {
                if let name = object["rrname"]?.string, dns.queries.isEmpty { EvidenceMapping.addQuery(name, type: object["rrtype"]?.string, to: &dns) }
                if let rcode = object["rcode"]?.string { dns.rcode = rcode }
                if let time = record["timestamp"]?.string.flatMap(LogTime.parseISO) { answerTime = time }
            }
            evidence.dns = dns
            if evidence.appProto == nil { evidence.appProto = .dns }
        case "http":
            var http = evidence.http ?? .none
            if let host = object["hostname"]?.string { http.host = host }
            if let method = object["http_method"]?.string { http.method = method }
            if let url = object["url"]?.string { http.target = url }
            if let agent = object["http_user_agent"]?.string { http.userAgent = agent }
            evidence.http = http
            if evidence.appProto == nil { evidence.appProto = .http }
        case "ssh":
            var ssh = evidence.ssh ?? .none
            if let client = object["client"], client.isObject {
                ssh.clientBanner = banner(client) ?? ssh.clientBanner
                ssh.hassh = client.path("hassh.hash")?.string ?? ssh.hassh
            }
            if let server = object["server"], server.isObject {
                ssh.serverBanner = banner(server) ?? ssh.serverBanner
                ssh.hasshServer = server.path("hassh.hash")?.string ?? ssh.hasshServer
            }
            evidence.ssh = ssh
            evidence.appProto = .ssh
        default:
            break
        }
    }

    /// `SSH-<proto_version>-<software_version>` (the banner's comment is not in EVE).
    static func banner(_ side: JSONValue) -> String? {
        guard let software = side["software_version"]?.string else { return nil }
        return "SSH-\(side["proto_version"]?.string ?? "2.0")-\(software)"
    }

    static func applyTLS(_ object: JSONValue, to tls: inout TLSEvidence) {
        if let sni = object["sni"]?.string, !sni.isEmpty { tls.sni = sni }
        if let version = object["version"]?.string, let mapped = EvidenceMapping.tlsVersion(version) { tls.version = mapped }
        if let hash = object.path("ja3.hash")?.string { tls.ja3 = hash }
        if let text = object.path("ja3.string")?.string { tls.ja3String = text }
        if let hash = object.path("ja3s.hash")?.string { tls.ja3s = hash }
        if let text = object.path("ja3s.string")?.string { tls.ja3sString = text }
        if let ja4 = object["ja4"]?.string { tls.ja4 = ja4 }
        if let alpns = object["client_alpns"]?.array { tls.alpn = alpns.compactMap(\.string) }
        if let selected = object["server_alpns"]?.array?.first?.string { tls.alpnSelected = selected }
        if tls.sni != nil || tls.ja3 != nil || tls.ja4 != nil || !tls.alpn.isEmpty { tls.sawClientHello = true }
        if tls.ja3s != nil || tls.alpnSelected != nil { tls.sawServerHello = true }
    }

    /// Adds `extra`'s facts to `base` (what `base` lacks).
    static func merge(_ extra: FlowEvidence, into base: inout FlowEvidence) {
        if let app = extra.appProto, base.appProto == nil || app == .quic || app == .ssh { base.appProto = app }
        if let tls = extra.tls {
            if var mine = base.tls {
                mine.sni = mine.sni ?? tls.sni
                mine.version = tls.version ?? mine.version
                mine.ja3 = mine.ja3 ?? tls.ja3
                mine.ja3String = mine.ja3String ?? tls.ja3String
                mine.ja3s = mine.ja3s ?? tls.ja3s
                mine.ja3sString = mine.ja3sString ?? tls.ja3sString
                mine.ja4 = mine.ja4 ?? tls.ja4
                if mine.alpn.isEmpty { mine.alpn = tls.alpn }
                mine.alpnSelected = mine.alpnSelected ?? tls.alpnSelected
                if mine.certificates.isEmpty { mine.certificates = tls.certificates }
                mine.sawClientHello = mine.sawClientHello || tls.sawClientHello
                mine.sawServerHello = mine.sawServerHello || tls.sawServerHello
                base.tls = mine
            } else {
                base.tls = tls
            }
        }
        if let quic = extra.quic {
            var mine = base.quic ?? QUICEvidence()
            mine.version = mine.version ?? quic.version
            mine.userAgent = mine.userAgent ?? quic.userAgent
            base.quic = mine
        }
        if let dns = extra.dns {
            var mine = base.dns ?? .none
            for query in dns.queries { EvidenceMapping.addQuery(query.name, type: query.type, to: &mine) }
            for answer in dns.answers {
                EvidenceMapping.addAnswer(name: answer.name, type: answer.type, data: answer.data, ttl: Int64(answer.ttl), to: &mine)
            }
            mine.rcode = dns.rcode ?? mine.rcode
            mine.messages += dns.messages
            base.dns = mine
        }
        if let http = extra.http, base.http == nil { base.http = http }
        if let ssh = extra.ssh {
            var mine = base.ssh ?? .none
            mine.clientBanner = mine.clientBanner ?? ssh.clientBanner
            mine.serverBanner = mine.serverBanner ?? ssh.serverBanner
            mine.hassh = mine.hassh ?? ssh.hassh
            mine.hasshServer = mine.hasshServer ?? ssh.hasshServer
            base.ssh = mine
        }
    }
}

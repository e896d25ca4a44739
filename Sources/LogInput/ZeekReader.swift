import Basics
import Decoding
import Flows
import Inspection
import Reports
import Schema

/// The Zeek logs cipherscope reads, told by `#path` (TSV), `_path` (JSON) or the file name.
public enum ZeekLog: String, Sendable, CaseIterable {
    // In reading order: certificates before the ssl.log that names them, conn.log last.
    case x509, ssl, quic, dns, http, ssh, conn

    /// `conn.log`, `conn.json`, `conn.09:00:00-10:00:00.log`, … by the name before the first dot.
    public init?(fileName: String) {
        let base = fileName.split(separator: "/").last.map(String.init) ?? fileName
        guard let stem = base.split(separator: ".").first else { return nil }
        self.init(rawValue: String(stem))
    }
}

/// One record of a Zeek log, TSV or JSON, read by field name.
struct ZeekRecord {
    enum Storage {
        case tsv(fields: [String: Int], values: [Substring], setSeparator: Character, unset: String, empty: String)
        case json(JSONValue)
    }

    let storage: Storage

    /// The value as text, nil when unset.
    func text(_ name: String) -> String? {
        switch storage {
        case .tsv(let fields, let values, _, let unset, let empty):
            guard let index = fields[name], index < values.count else { return nil }
            let raw = values[index]
            if raw == unset { return nil }
            if raw == empty { return "" }
            return ZeekRecord.unescape(raw)
        case .json(let object):
            guard let value = object.path(name) else { return nil }
            if case .array(let items) = value { return items.compactMap(\.string).joined(separator: ",") }
            return value.string
        }
    }

    /// A set or vector field's items.
    func list(_ name: String) -> [String] {
        switch storage {
        case .tsv(let fields, let values, let separator, let unset, let empty):
            guard let index = fields[name], index < values.count else { return [] }
            let raw = values[index]
            if raw == unset || raw == empty { return [] }
            return raw.split(separator: separator, omittingEmptySubsequences: false).map { ZeekRecord.unescape($0) }
        case .json(let object):
            guard let value = object.path(name) else { return [] }
            if let items = value.array { return items.compactMap(\.string) }
            return value.string.map { [$0] } ?? []
        }
    }

    func integer(_ name: String) -> Int64? { text(name).flatMap { Int64($0) } }

    /// Zeek writes non-printable bytes (and separators) as `\xHH`.
    static func unescape(_ raw: Substring) -> String {
        guard raw.contains("\\x") else { return String(raw) }
        var bytes: [UInt8] = []
        let utf8 = Array(raw.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\") && i + 3 < utf8.count && utf8[i + 1] == UInt8(ascii: "x"),
               let value = UInt8(String(decoding: utf8[(i + 2)...(i + 3)], as: UTF8.self), radix: 16) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Reads a set of Zeek logs (conn.log with ssl, x509, quic, dns, http and ssh logs;
/// TSV with `#fields`/`#types` headers, or JSON lines), joined by `uid`.
///
/// The other logs are read first into a join table by `uid`, then conn.log is
/// streamed: each conn record becomes a flow with the facts the other logs told of
/// its `uid`. Bounded: the join table holds at most `maximumPending` uids (and as
/// many certificates); when full the oldest are flushed unjoined (counted), as are
/// those no conn record claimed.
public struct ZeekReader {
    public static let maximumPending = 262_144

    let classifier: LogClassifier
    let maximumLineLength: Int
    let maximumPending: Int

    private var evidence: [String: (evidence: FlowEvidence, answerTime: Int64?)] = [:]
    private var order: [String] = []
    private var orderStart = 0
    private var certificates: [String: TLSCertificateEvidence] = [:]
    public private(set) var unjoined = 0

    public init(classifier: LogClassifier, maximumLineLength: Int = LineReader.defaultMaximumLength,
                maximumPending: Int = ZeekReader.maximumPending) {
        self.classifier = classifier
        self.maximumLineLength = maximumLineLength
        self.maximumPending = max(1, maximumPending)
    }

    /// The log files among `paths` (a directory: the Zeek logs in it), in reading
    /// order; problems (unreadable, unknown log) are returned as errors.
    public static func expand(_ paths: [String]) -> (files: [(path: String, log: ZeekLog?)], errors: [LogInputError]) {
        var files: [(String, ZeekLog?)] = []
        var errors: [LogInputError] = []
        for path in paths {
            switch FileIO.kind(of: path) {
            case .directory:
                do {
                    for name in try FileIO.directoryEntries(path).sorted() {
                        guard let log = ZeekLog(fileName: name) else { continue }
                        let full = path.hasSuffix("/") ? path + name : path + "/" + name
                        if FileIO.kind(of: full) == .file { files.append((full, log)) }
                    }
                } catch {
                    errors.append(LogInputError(file: path, line: 0, message: error.message))
                }
            case .missing:
                errors.append(LogInputError(file: path, line: 0, message: "no such file or directory"))
            default:
                // The log is told from its header when the name does not tell it.
                files.append((path, ZeekLog(fileName: path)))
            }
        }
        let rank = { (log: ZeekLog?) in log.map { ZeekLog.allCases.firstIndex(of: $0)! } ?? -1 }
        let sorted = files.enumerated().sorted { (rank($0.element.1), $0.offset) < (rank($1.element.1), $1.offset) }.map(\.element)
        return (sorted, errors)
    }

    /// Reads the files (in the order `expand` gives) and finishes the join.
    public mutating func read(_ files: [(path: String, log: ZeekLog?)], onError: (LogInputError) -> Void) {
        for file in files { read(path: file.path, log: file.log, onError: onError) }
        unjoined += evidence.count
        evidence.removeAll()
    }

    /// Reads one log file; each bad line is reported and skipped.
    mutating func read(path: String, log named: ZeekLog?, onError: (LogInputError) -> Void) {
        var errors: [String] = []
        var records: UInt64 = 0
        var suppressed = 0
        func fail(_ line: Int, _ message: String) {
            // A file of garbage must not fill memory or the terminal: the first errors are told, the rest counted.
            guard errors.count < LineReader.maximumErrorsPerFile else { suppressed += 1; return }
            let error = LogInputError(file: path, line: line, message: message)
            errors.append(error.description)
            onError(error)
        }
        let reader: LineReader
        do {
            reader = try LineReader(path: path, maximumLength: maximumLineLength)
        } catch {
            fail(0, error.message)
            classifier.noteFile(.init(path: path, format: "unreadable", linkType: -1, frames: 0, filtered: 0, error: error.message), errors: errors)
            return
        }
        var log = named
        var fields: [String: Int]?
        var fieldCount = 0
        var separator: Character = "\t"
        var setSeparator: Character = ","
        var unset = "-"
        var empty = "(empty)"
        var format = "zeek"
        var fileError: String?
        reading: while true {
            switch reader.next() {
            case .end:
                break reading
            case .failed(let message):
                fail(0, message)
                fileError = message
                break reading
            case .tooLong(let number, let length):
                fail(number, "line of \(length) bytes is longer than \(maximumLineLength); skipped")
            case .line(let number, let bytes):
                if bytes.isEmpty { continue }
                let record: ZeekRecord
                if bytes[0] == UInt8(ascii: "#") {
                    guard let line = String(validating: bytes, as: UTF8.self) else { fail(number, "header is not valid UTF-8"); continue }
                    let parts = line.split(separator: separator, omittingEmptySubsequences: false)
                    switch parts.first {
                    case "#separator"?:
                        // `#separator \x09` (the only header not split by the separator).
                        let value = line.dropFirst("#separator ".count)
                        let text = ZeekRecord.unescape(value)
                        if text.count == 1, let character = text.first { separator = character } else { fail(number, "unusable #separator") }
                    case "#set_separator"?: if parts.count > 1, let character = ZeekRecord.unescape(parts[1]).first { setSeparator = character }
                    case "#unset_field"?: if parts.count > 1 { unset = String(parts[1]) }
                    case "#empty_field"?: if parts.count > 1 { empty = String(parts[1]) }
                    case "#path"?:
                        if parts.count > 1 {
                            if let told = ZeekLog(rawValue: String(parts[1])) { log = told } else { log = nil; fields = nil }
                        }
                    case "#fields"?:
                        fields = Dictionary(parts.dropFirst().enumerated().map { (String($1), $0) }, uniquingKeysWith: { first, _ in first })
                        fieldCount = parts.count - 1
                        format = "zeek-tsv"
                    default: break  // #types, #open, #close, comments
                    }
                    continue
                }
                if bytes[0] == UInt8(ascii: "{") {
                    do {
                        let object = try JSONParser.parse(bytes)
                        guard object.isObject else { fail(number, "not a JSON object"); continue }
                        if let path = object["_path"]?.string { log = ZeekLog(rawValue: path) }
                        record = ZeekRecord(storage: .json(object))
                        format = "zeek-json"
                    } catch {
                        fail(number, "not JSON: \(error)")
                        continue
                    }
                } else {
                    guard let fields else { fail(number, "data line before a #fields header (not a Zeek TSV log?)"); continue }
                    guard let line = String(validating: bytes, as: UTF8.self) else { fail(number, "line is not valid UTF-8"); continue }
                    let values = line.split(separator: separator, omittingEmptySubsequences: false)
                    guard values.count == fieldCount else { fail(number, "\(values.count) fields where #fields names \(fieldCount)"); continue }
                    record = ZeekRecord(storage: .tsv(fields: fields, values: values, setSeparator: setSeparator, unset: unset, empty: empty))
                }
                guard let log else { fail(number, "unknown Zeek log (name the file conn.log, ssl.log, … or give #path)"); continue }
                do {
                    try handle(record, log: log, path: path, line: number)
                    records += 1
                } catch let error as LogInputError {
                    fail(error.line, error.message)
                } catch {
                    fail(number, "\(error)")
                }
            }
        }
        if suppressed > 0 { LineReader.noteSuppressed(suppressed, path: path, errors: &errors, onError: onError) }
        classifier.noteFile(.init(path: path, format: format, linkType: -1, frames: records, filtered: 0, error: fileError), errors: errors)
    }

    private mutating func update(_ uid: String, _ change: (inout FlowEvidence, inout Int64?) -> Void) {
        if var entry = evidence[uid] {
            change(&entry.evidence, &entry.answerTime)
            evidence[uid] = entry
            return
        }
        var entry: (evidence: FlowEvidence, answerTime: Int64?) = (FlowEvidence(), nil)
        change(&entry.evidence, &entry.answerTime)
        evidence[uid] = entry
        order.append(uid)
        while evidence.count > maximumPending && orderStart < order.count {
            if evidence.removeValue(forKey: order[orderStart]) != nil { unjoined += 1 }
            orderStart += 1
        }
        if orderStart > maximumPending {
            order.removeFirst(orderStart)
            orderStart = 0
        }
    }

    private mutating func handle(_ record: ZeekRecord, log: ZeekLog, path: String, line: Int) throws {
        func bad(_ message: String) -> LogInputError { LogInputError(file: path, line: line, message: message) }
        if log == .x509 {
            let certificate = TLSCertificateEvidence.of(
                subject: record.text("certificate.subject") ?? "", issuer: record.text("certificate.issuer") ?? "",
                san: record.list("san.dns"),
                notBefore: record.text("certificate.not_valid_before").map(EvidenceMapping.certificateTime) ?? "",
                notAfter: record.text("certificate.not_valid_after").map(EvidenceMapping.certificateTime) ?? "",
                serial: record.text("certificate.serial").map(EvidenceMapping.serial) ?? "",
                sha256: record.text("fingerprint").flatMap { $0.count == 64 ? $0.lowercased() : nil } ?? "", ja4x: nil)
            if certificates.count >= maximumPending { certificates.removeAll(keepingCapacity: true) }
            for key in [record.text("fingerprint"), record.text("id")].compactMap({ $0 }) { certificates[key] = certificate }
            return
        }
        guard let uid = record.text("uid"), !uid.isEmpty else { throw bad("record without uid") }
        switch log {
        case .conn:
            try conn(record, uid: uid, path: path, line: line)
        case .ssl:
            let chain = (record.list("cert_chain_fps") + record.list("cert_chain_fuids")).compactMap { certificates[$0] }
            update(uid) { evidence, _ in
                var tls = evidence.tls ?? .none
                if let sni = record.text("server_name"), !sni.isEmpty { tls.sni = sni }
                if let version = record.text("version").flatMap(EvidenceMapping.tlsVersion) { tls.version = version }
                if let next = record.text("next_protocol"), !next.isEmpty { tls.alpnSelected = next }
                tls.ja3 = record.text("ja3") ?? tls.ja3
                tls.ja3s = record.text("ja3s") ?? tls.ja3s
                tls.ja4 = record.text("ja4") ?? tls.ja4
                tls.ja4s = record.text("ja4s") ?? tls.ja4s
                if tls.certificates.isEmpty { tls.certificates = chain }
                tls.sawClientHello = tls.sawClientHello || tls.sni != nil || tls.ja3 != nil || tls.ja4 != nil
                tls.sawServerHello = tls.sawServerHello || tls.ja3s != nil || tls.ja4s != nil || record.text("cipher") != nil
                evidence.tls = tls
                if evidence.appProto == nil { evidence.appProto = .tls }
            }
        case .quic:
            update(uid) { evidence, _ in
                var tls = evidence.tls ?? .none
                if let sni = record.text("server_name"), !sni.isEmpty { tls.sni = sni }
                if let alpn = record.text("client_protocol"), !alpn.isEmpty { tls.alpnSelected = tls.alpnSelected ?? alpn }
                tls.ja4 = record.text("ja4") ?? tls.ja4
                tls.sawClientHello = tls.sawClientHello || tls.sni != nil
                evidence.tls = tls
                var quic = evidence.quic ?? QUICEvidence()
                quic.version = record.text("version").flatMap(EvidenceMapping.quicVersion) ?? quic.version
                evidence.quic = quic
                evidence.appProto = .quic
            }
        case .dns:
            let ts = record.text("ts").flatMap(LogTime.parse)
            let rtt = record.text("rtt").flatMap(LogTime.parseEpoch)
            update(uid) { evidence, answerTime in
                var dns = evidence.dns ?? .none
                dns.messages += 1
                EvidenceMapping.addQuery(record.text("query") ?? "", type: record.text("qtype_name"), to: &dns)
                let answers = record.list("answers")
                let ttls = record.list("TTLs")
                for (index, data) in answers.enumerated() {
                    let ttl = index < ttls.count ? LogTime.parseEpoch(ttls[index]).map { $0 / 1_000_000_000 } : nil
                    EvidenceMapping.addAnswer(name: record.text("query") ?? "", type: nil, data: data, ttl: ttl, to: &dns)
                }
                if let rcode = record.text("rcode_name") { dns.rcode = rcode }
                evidence.dns = dns
                if evidence.appProto == nil { evidence.appProto = .dns }
                if !answers.isEmpty, let ts { answerTime = LogTime.sum(ts, rtt ?? 0) }
            }
        case .http:
            update(uid) { evidence, _ in
                var http = evidence.http ?? .none
                http.host = http.host ?? record.text("host")
                http.method = http.method ?? record.text("method")
                http.target = http.target ?? record.text("uri")
                http.userAgent = http.userAgent ?? record.text("user_agent")
                evidence.http = http
                if evidence.appProto == nil { evidence.appProto = .http }
            }
        case .ssh:
            update(uid) { evidence, _ in
                var ssh = evidence.ssh ?? .none
                ssh.clientBanner = record.text("client") ?? ssh.clientBanner
                ssh.serverBanner = record.text("server") ?? ssh.serverBanner
                ssh.hassh = record.text("hassh") ?? ssh.hassh
                ssh.hasshServer = record.text("hasshServer") ?? ssh.hasshServer
                evidence.ssh = ssh
                evidence.appProto = .ssh
            }
        case .x509:
            break
        }
    }

    private mutating func conn(_ record: ZeekRecord, uid: String, path: String, line: Int) throws {
        func bad(_ message: String) -> LogInputError { LogInputError(file: path, line: line, message: message) }
        guard let protoText = record.text("proto"), let proto = EvidenceMapping.protocolNumber(protoText) else { throw bad("no or unknown proto") }
        guard let client = record.text("id.orig_h").flatMap({ IPAddress($0) }) else { throw bad("no or bad id.orig_h") }
        guard let server = record.text("id.resp_h").flatMap({ IPAddress($0) }) else { throw bad("no or bad id.resp_h") }
        guard let start = record.text("ts").flatMap(LogTime.parse) else { throw bad("no or bad ts") }
        let duration = record.text("duration").flatMap(LogTime.parseEpoch) ?? 0
        let clientPort = UInt16(clamping: max(0, record.integer("id.orig_p") ?? 0))
        let serverPort = UInt16(clamping: max(0, record.integer("id.resp_p") ?? 0))
        var summary = LogFlow.empty(proto: proto, client: client, clientPort: clientPort, server: server, serverPort: serverPort,
                                    firstSeen: start, lastSeen: LogTime.sum(start, max(0, duration)))
        if proto == IPProtocol.icmp || proto == IPProtocol.icmpv6 {
            // Zeek logs the ICMP type and code as the ports.
            summary.icmpType = UInt8(clamping: clientPort)
            summary.icmpCode = UInt8(clamping: serverPort)
            summary.communityID = CommunityID.compute(proto: proto, source: client, destination: server, sourcePort: 0, destinationPort: 0,
                                                      icmpType: summary.icmpType, icmpCode: summary.icmpCode)
        }
        func count(_ name: String) -> UInt64 { UInt64(clamping: max(0, record.integer(name) ?? 0)) }
        summary.c2s.packets = count("orig_pkts")
        summary.s2c.packets = count("resp_pkts")
        summary.c2s.ipBytes = count("orig_ip_bytes")
        summary.s2c.ipBytes = count("resp_ip_bytes")
        summary.c2s.payloadBytes = count("orig_bytes")
        summary.s2c.payloadBytes = count("resp_bytes")
        if proto == IPProtocol.tcp, let history = record.text("history") {
            let told = EvidenceMapping.zeekHistory(history)
            summary.tcp = told.progress
            summary.c2s.tcpFlags = told.client
            summary.s2c.tcpFlags = told.server
        }
        summary.endReason = switch record.text("conn_state") ?? "" {
        case "SF": proto == IPProtocol.tcp ? .fin : .eof
        case "REJ", "RSTO", "RSTR", "RSTOS0", "RSTRH": .rst
        case "S0", "S1", "S2", "S3", "SH", "SHR", "OTH": .eof
        default: .eof
        }
        var flowEvidence = FlowEvidence()
        var answerTime: Int64?
        if let joined = evidence.removeValue(forKey: uid) {
            flowEvidence = joined.evidence
            answerTime = joined.answerTime
        }
        for service in record.list("service") {
            let app: AppProtocol? = switch service.lowercased() {
            case "ssl": .tls
            case "quic": .quic
            case "dns": .dns
            case "http": .http
            case "ssh": .ssh
            default: nil
            }
            if let app, flowEvidence.appProto == nil || app == .quic { flowEvidence.appProto = app }
        }
        classifier.add(LogFlow(summary: summary, evidence: flowEvidence, file: path, line: line, answerTime: answerTime))
    }
}

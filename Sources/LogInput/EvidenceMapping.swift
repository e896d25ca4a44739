import Decoding
import Flows
import Inspection
import Reports
import Schema

/// The translations both sources need: protocol names, TLS and QUIC versions,
/// certificate texts, SSH banners, DNS records into cipherscope's evidence.
enum EvidenceMapping {
    /// `TCP`, `tcp`, `UDP`, `ICMP`, `IPv6-ICMP`, `icmp6`, or a number.
    static func protocolNumber(_ text: String) -> UInt8? {
        switch text.lowercased() {
        case "tcp": IPProtocol.tcp
        case "udp": IPProtocol.udp
        case "icmp": IPProtocol.icmp
        case "ipv6-icmp", "icmp6", "icmpv6": IPProtocol.icmpv6
        case "sctp": 132
        case "gre": IPProtocol.gre
        case "esp": IPProtocol.esp
        default: UInt8(text)
        }
    }

    /// EVE's `TLS 1.2`/`SSLv3`, Zeek's `TLSv12`/`TLSv13`/`DTLSv12` → `1.2`, `ssl3`, `dtls1.2`.
    static func tlsVersion(_ text: String) -> String? {
        switch text.uppercased().replacingOccurrences(" ", "") {
        case "TLS1.3", "TLSV13", "TLSV1.3": "1.3"
        case "TLS1.2", "TLSV12", "TLSV1.2": "1.2"
        case "TLS1.1", "TLSV11", "TLSV1.1": "1.1"
        case "TLS1.0", "TLSV10", "TLSV1", "TLSV1.0", "TLS1": "1.0"
        case "SSLV3", "SSL3", "SSL3.0": "ssl3"
        case "SSLV2", "SSL2": "ssl2"
        case "DTLSV10", "DTLS1.0": "dtls1.0"
        case "DTLSV12", "DTLS1.2": "dtls1.2"
        case "DTLSV13", "DTLS1.3": "dtls1.3"
        case "", "UNDETERMINED", "-": nil
        default: text
        }
    }

    /// QUIC versions as cipherscope names them (`v1`, `v2`, `draft-29`, `Q050`):
    /// from EVE's number or text and Zeek's `1`/`quicv2`/`draft-29`.
    static func quicVersion(_ text: String) -> String? {
        let lower = text.lowercased()
        switch lower {
        case "", "-": return nil
        case "1", "v1", "0x00000001", "quicv1": return "v1"
        case "quicv2", "v2", "1798521807", "0x6b3343cf": return "v2"
        default: break
        }
        if lower.hasPrefix("draft-") { return lower }
        if let number = UInt32(lower), number & 0xFFFF_FF00 == 0xFF00_0000 { return "draft-\(number & 0xFF)" }
        return text
    }

    /// Certificate times: EVE writes `2026-11-30T21:19:34` (UTC, no zone), Zeek epoch seconds.
    static func certificateTime(_ text: String) -> String {
        if !text.contains("-"), let nanoseconds = LogTime.parseEpoch(text) {
            return CivilTime.rfc3339Seconds(nanoseconds)
        }
        if text.count == 19 { return text + "Z" }
        return text
    }

    /// Serials as cipherscope writes them: lower-case hex without separators.
    static func serial(_ text: String) -> String {
        String(text.lowercased().filter { $0 != ":" && $0 != " " })
    }

    /// The address types whose data is an address.
    static func answerType(for data: String, given: String?) -> String {
        if let given, !given.isEmpty, given != "-" { return given }
        guard let address = IPAddress(data) else { return "CNAME" }
        return address.isIPv4 ? "A" : "AAAA"
    }

    static func addQuery(_ name: String, type: String?, to dns: inout DNSEvidence) {
        guard !name.isEmpty, name != "-" else { return }
        let query = DNSQueryEvidence.of(name: name, type: type ?? "")
        if !dns.queries.contains(where: { $0.name == query.name && $0.type == query.type }) { dns.queries.append(query) }
    }

    static func addAnswer(name: String, type: String?, data: String, ttl: Int64?, to dns: inout DNSEvidence) {
        guard !data.isEmpty, data != "-" else { return }
        let answer = DNSAnswerEvidence.of(name: name, type: answerType(for: data, given: type), data: data,
                                       ttl: UInt32(clamping: max(0, ttl ?? 0)))
        if !dns.answers.contains(where: { $0.name == answer.name && $0.data == answer.data && $0.type == answer.type }) {
            dns.answers.append(answer)
        }
    }

    /// TCP milestones from the flags each direction sent (EVE) — approximate.
    static func progress(clientFlags: UInt8, serverFlags: UInt8) -> TCPProgress {
        var progress: TCPProgress = []
        let syn: UInt8 = 0x02, ack: UInt8 = 0x10, fin: UInt8 = 0x01, rst: UInt8 = 0x04
        if clientFlags & syn != 0 { progress.insert(.syn) }
        if serverFlags & syn != 0 && serverFlags & ack != 0 { progress.insert(.synAck) }
        if progress.contains([.syn, .synAck]) && clientFlags & ack != 0 { progress.insert(.established) }
        if clientFlags & fin != 0 { progress.insert(.finC2S) }
        if serverFlags & fin != 0 { progress.insert(.finS2C) }
        if clientFlags & rst != 0 { progress.insert(.rstC2S) }
        if serverFlags & rst != 0 { progress.insert(.rstS2C) }
        return progress
    }

    /// TCP milestones and flags from Zeek's `history` (upper case: originator).
    static func zeekHistory(_ history: String) -> (progress: TCPProgress, client: UInt8, server: UInt8) {
        var progress: TCPProgress = []
        var client: UInt8 = 0, server: UInt8 = 0
        for character in history {
            switch character {
            case "S": progress.insert(.syn); client |= 0x02
            case "H": client |= 0x12
            case "h": progress.insert(.synAck); server |= 0x12
            case "s": server |= 0x02
            case "A", "D": client |= 0x10
            case "a", "d": server |= 0x10
            case "F": progress.insert(.finC2S); client |= 0x01
            case "f": progress.insert(.finS2C); server |= 0x01
            case "R": progress.insert(.rstC2S); client |= 0x04
            case "r": progress.insert(.rstS2C); server |= 0x04
            default: break
            }
        }
        if progress.contains([.syn, .synAck]) && client & 0x10 != 0 { progress.insert(.established) }
        return (progress, client, server)
    }

    static func hexByte(_ text: String) -> UInt8 { UInt8(text, radix: 16) ?? 0 }
}

/// RFC 3339 times to the second (for certificate validity from epoch seconds),
/// on the calendar arithmetic of `TimeFormat`.
enum CivilTime {
    static func rfc3339Seconds(_ nanoseconds: Int64) -> String {
        let seconds = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let c = TimeFormat.civilFields(seconds)
        func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(c.year)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))Z"
    }
}

extension String {
    /// Without Foundation.
    func replacingOccurrences(_ target: Character, _ replacement: String) -> String {
        var out = ""
        for character in self { if character == target { out += replacement } else { out.append(character) } }
        return out
    }
}

import Decoding
import Flows
import Inspection
import Rules
import Schema

/// Flattens a flow's summary and evidence into the fields rules match on: the
/// rules' projection of the field declarations (every field declared with a
/// `RuleKind` reaches the facts under its rule name).
public enum FactsBuilder {
    public static func facts(_ flow: FlowSummary, evidence: FlowEvidence?) -> FlowFacts {
        var sink = FactsSink(facts: FlowFacts(
            proto: ProtocolNames.name(flow.proto),
            sourceAddress: flow.clientAddress, sourcePort: flow.clientPort,
            destinationAddress: flow.serverAddress, destinationPort: flow.serverPort,
            payloadLengths: flow.payloadLengths))
        sink.facts[.durationMS] = flow.duration / 1_000_000
        flow.describe(into: &sink, sourceFile: "", firstFrame: 0)
        guard let evidence else { return sink.facts }
        sink.facts.appProto = evidence.appProto?.name
        sink.ignoresFramings = contentIsAnotherProtocol(evidence)
        evidence.describe(into: &sink)
        sink.facts.firstPayload = evidence.firstPayloads
        return sink.facts
    }
}

extension FactsBuilder {
    /// Whether the flow's content is already identified as a protocol of its own —
    /// DTLS, QUIC, or RTP whose payload types are all RFC 3551 static assignments — so
    /// that a platform framing's few header bytes seen in it (a DTLS 1.3 record that
    /// looks like Viber's header) are a coincidence, and framing rules must not fire.
    /// The platforms' own framings that carry RTP use dynamic payload types (Discord,
    /// LINE, IMO) and keep their framing.
    static func contentIsAnotherProtocol(_ evidence: FlowEvidence) -> Bool {
        switch evidence.appProto {
        case .dtls?, .quic?:
            return true
        case .rtp?:
            guard let types = evidence.rtp?.payloadTypes, !types.isEmpty else { return false }
            return types.allSatisfy(staticPayloadTypes.contains)
        default:
            return false
        }
    }

    /// RFC 3551 §6 payload types with a fixed encoding (PCMU … H263).
    static let staticPayloadTypes: Set<UInt8> = [0, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 25, 26, 28, 31, 32, 33, 34]
}

/// Text fields get every value (numbers as text), counters their number, the
/// STUN attributes their list. Addresses, ports and the protocol are given to
/// `FlowFacts` directly.
///
/// A certificate's DNS names (`tls.certificates.san`, for TLS and DTLS alike) are its
/// subjectAltName DNS names or, when it has none, its subject CN (the CN-ID of RFC 6125
/// §6.4.4), so a name rule matches a certificate that names its host only in the CN.
struct FactsSink: FlatFieldSink {
    var facts: FlowFacts
    /// The CN of the certificate being described, until its subjectAltNames come.
    private var subjectCommonName: String?
    /// The flow's content is another protocol's: its `framings` are not facts.
    var ignoresFramings = false

    init(facts: FlowFacts) { self.facts = facts }

    /// What each declared field is to the facts, by `rawValue`.
    enum Role {
        case none, text(TextFieldID), counter(FlowCounter), attributes
    }

    static let roles: [Role] = Field.allCases.map { field in
        switch Field.declarations[field.rawValue].rule {
        case .text?, .domain?:
            // `proto` is read from the flow itself.
            guard field != .proto, let id = TextFieldID(field) else { return .none }
            return .text(id)
        case .counter?:
            return FlowCounter(name: field.ruleName).map { .counter($0) } ?? .none
        case .number? where field == .stunAttributes:
            return .attributes
        default:
            return .none
        }
    }

    func wants(_ field: Field) -> Bool {
        if case .none = FactsSink.roles[field.rawValue] { return false }
        return true
    }

    mutating func text(_ field: Field, _ value: String) {
        if field == .tlsCertificateSubject { subjectCommonName = FactsSink.hostCommonName(value) }
        guard case .text(let id) = FactsSink.roles[field.rawValue], !value.isEmpty else { return }
        facts.append(value, to: id)
    }

    mutating func texts(_ field: Field, _ values: [String]) {
        if field == .framings && ignoresFramings { return }
        if field == .tlsCertificateSAN, values.isEmpty, let name = subjectCommonName { text(field, name) }
        for value in values { text(field, value) }
    }

    /// The most specific CN of an RFC 4514 subject when it is a host name (no escapes,
    /// spaces or multi-valued RDN; at least one dot).
    /// Scans the UTF-8 bytes: splitting into Characters cost more than the rest of
    /// the flow's facts together on certificate-heavy captures.
    static func hostCommonName(_ subject: String) -> String? {
        let bytes = subject.utf8
        var start = bytes.startIndex
        while true {
            let end = bytes[start...].firstIndex(of: UInt8(ascii: ",")) ?? bytes.endIndex
            let part = bytes[start..<end]
            if part.starts(with: "CN=".utf8) {
                let value = part.dropFirst(3)
                guard value.contains(UInt8(ascii: ".")),
                      !value.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: " ") })
                else { return nil }
                return String(Substring(value))
            }
            guard end < bytes.endIndex else { return nil }
            start = bytes.index(after: end)
        }
    }

    mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {
        switch FactsSink.roles[field.rawValue] {
        case .text(let id): facts.append(String(value), to: id)
        case .counter(let counter): facts[counter] = Int64(value)
        default: break
        }
    }

    mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        switch FactsSink.roles[field.rawValue] {
        case .text(let id): for value in values { facts.append(String(value), to: id) }
        case .attributes: facts.stunAttributes = values.map { UInt16(truncatingIfNeeded: $0) }
        default: break
        }
    }

    mutating func bool(_ field: Field, _ value: Bool) { text(field, value ? "true" : "false") }
    mutating func time(_ field: Field, nanoseconds: Int64) {}
    mutating func seconds(_ field: Field, nanoseconds: Int64) {}
}

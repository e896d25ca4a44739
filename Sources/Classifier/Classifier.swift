import Decoding
import Flows
import Inspection
import Rules
import Schema

/// A label a rule (or the engine behind it) proposes for a flow.
public struct Candidate: Sendable {
    public var platform: String
    public var service: String
    public var confidence: Confidence
    public var rule: String
    public var evidence: [EvidenceItem]

    public init(platform: String, service: String, confidence: Confidence, rule: String, evidence: [EvidenceItem]) {
        self.platform = platform
        self.service = service
        self.confidence = confidence
        self.rule = rule
        self.evidence = evidence
    }
}

/// Whatever turns flow facts into candidate labels, best first (the compiled rule set).
public protocol CandidateSource: Sendable {
    func candidates(for facts: FlowFacts) -> [Candidate]
}

/// A flow's label from its own facts alone, before anything other flows taught.
public struct OwnLabel: Sendable {
    var classification: Classification
    var facts: FlowFacts
    var best: Candidate?
    /// The DNS name the label was computed with (a precomputed label is valid only
    /// for a flow that still has this name).
    public let dnsName: String?
}

/// Computes flows' own labels: pure, so they can be computed in parallel (on any
/// thread) and the classifier only adds what spans flows.
public struct OwnLabeller: Sendable {
    let source: any CandidateSource

    public func label(_ flow: FlowSummary, evidence: FlowEvidence?) -> OwnLabel {
        let facts = FactsBuilder.facts(flow, evidence: evidence)
        var result = Classification()
        result.activity = Activity.classify(flow, evidence: evidence)
        let candidates = source.candidates(for: facts)
        guard let best = candidates.first else { return OwnLabel(classification: result, facts: facts, best: nil, dnsName: evidence?.dnsName) }
        result.platform = best.platform
        result.service = best.service
        result.confidence = best.confidence
        result.rules = candidates.map(\.rule)
        // The winning rule's evidence, then what agreeing rules add.
        for candidate in candidates where candidate.platform == best.platform {
            for item in candidate.evidence where !result.evidence.contains(item) { result.evidence.append(item) }
        }
        if let name = evidence?.dnsName {
            for index in result.evidence.indices where result.evidence[index].field == "dns_name" && result.evidence[index].value == name {
                result.evidence[index].crossFlow = "dns answer"
            }
        }
        return OwnLabel(classification: result, facts: facts, best: best, dnsName: evidence?.dnsName)
    }
}

extension RuleSet: CandidateSource {
    /// The compiled rules' matches as candidate labels, best first. Only the
    /// candidates of the best one's platform carry their evidence: a label shows
    /// no other (`OwnLabeller`), and building it was a good part of labelling's cost.
    public func candidates(for facts: FlowFacts) -> [Candidate] {
        let matches = classify(facts)
        guard let best = matches.first?.rule.platform else { return [] }
        return matches.map { match in
            Candidate(
                platform: match.rule.platform, service: match.rule.service.rawValue, confidence: match.rule.confidence, rule: match.rule.name,
                evidence: match.rule.platform == best ? match.evidence.map { EvidenceItem(field: $0.field, value: $0.value, rule: $0.rule) } : [])
        }
    }
}

/// Labels flows as they end: the rules' best match for the flow's own facts;
/// failing that, what earlier flows taught about its endpoints (addresses learned
/// from STUN/TURN during a call set-up, an earlier flow of the same client to the
/// same server), marked as cross-flow evidence at lowered confidence. The DNS
/// answer that named the server is already a fact of the flow (`dns_name`).
public final class Classifier {
    /// What labels a flow by its own facts (shareable with other threads).
    public let labeller: OwnLabeller
    private var memory = CrossFlowMemory()

    public init(source: any CandidateSource) {
        labeller = OwnLabeller(source: source)
    }

    /// `own`: the flow's own label if already computed (by `labeller`) with the
    /// flow's current DNS name; it is recomputed otherwise.
    public func classify(_ flow: FlowSummary, evidence: FlowEvidence?, own: OwnLabel? = nil) -> Classification {
        var (result, facts) = classifyOwn(flow, evidence: evidence, own: own)
        if result.platform == nil { inherit(flow, facts: facts, into: &result) }
        return result
    }

    /// Labels the flows still open at the end of input together: first each by its
    /// own evidence (so every call set-up and named connection teaches), then the
    /// rest by what the others taught — a flow that started before its call set-up
    /// still belongs to the call.
    public func classifyBatch(_ flows: [(flow: FlowSummary, evidence: FlowEvidence?)]) -> [Classification] {
        classifyBatch(flows.map { ($0.flow, $0.evidence, nil) })
    }

    /// The same, with own labels already computed where given.
    public func classifyBatch(_ flows: [(flow: FlowSummary, evidence: FlowEvidence?, own: OwnLabel?)]) -> [Classification] {
        var results: [(Classification, FlowFacts)] = flows.map { classifyOwn($0.flow, evidence: $0.evidence, own: $0.own) }
        for index in results.indices where results[index].0.platform == nil {
            inherit(flows[index].flow, facts: results[index].1, into: &results[index].0)
        }
        return results.map(\.0)
    }

    /// Whether an unlabelled flow may still be labelled by a flow that ends after it:
    /// UDP media or call set-up (STUN, DTLS, RTP) from a local socket that has not yet
    /// been seen setting up a call — ICE uses one socket for a call's STUN checks and
    /// media, and the flow that names the platform may end last.
    public static func awaitsLaterSetUp(_ flow: FlowSummary, evidence: FlowEvidence?, label: Classification) -> Bool {
        guard label.platform == nil, flow.proto == IPProtocol.udp, let evidence else { return false }
        return evidence.stun != nil || evidence.appProto == .dtls || evidence.rtp != nil
    }

    /// `label` (of a flow held back, `awaitsLaterSetUp`) with the platform its local
    /// socket's call set-up, seen since, teaches; nil when none has.
    public func laterSetUp(of flow: FlowSummary, label: Classification) -> Classification? {
        guard let lesson = memory.socketLesson(for: flow) else { return nil }
        var result = label
        result.platform = lesson.platform
        result.service = lesson.service
        result.confidence = lesson.confidence.lowered
        result.rules = [lesson.rule]
        result.evidence = [EvidenceItem(field: lesson.field, value: lesson.value.text, rule: lesson.rule, crossFlow: lesson.how.text)]
        return result
    }

    /// The label from the flow's own facts (and what it teaches others).
    private func classifyOwn(_ flow: FlowSummary, evidence: FlowEvidence?, own: OwnLabel?) -> (Classification, FlowFacts) {
        let label = own.flatMap { $0.dnsName == evidence?.dnsName ? $0 : nil } ?? labeller.label(flow, evidence: evidence)
        if let best = label.best {
            memory.learn(from: flow, evidence: evidence, platform: best.platform, service: best.service, confidence: best.confidence, rule: best.rule)
        }
        return (label.classification, label.facts)
    }

    /// What earlier flows taught about this flow's endpoints, at lowered confidence.
    private func inherit(_ flow: FlowSummary, facts: FlowFacts, into result: inout Classification) {
        guard !CrossFlowMemory.namesItself(facts), let inherited = memory.inherited(for: flow) else { return }
        result.platform = inherited.platform
        result.service = inherited.service
        result.confidence = inherited.confidence.lowered
        result.rules = [inherited.rule]
        result.evidence = [EvidenceItem(field: inherited.field, value: inherited.value.text, rule: inherited.rule, crossFlow: inherited.how.text)]
    }
}

/// What earlier labelled flows taught about endpoints, bounded.
struct CrossFlowMemory {
    struct Lesson {
        var platform: String
        var service: String
        var confidence: Confidence
        var rule: String
        var field: String
        var value: Value
        var how: How

        /// The value shown, made only when a flow inherits the lesson.
        enum Value {
            case text(String)
            case endpoint(IPAddress, UInt16)
            case address(IPAddress)

            var text: String {
                switch self {
                case .text(let text): text
                case .endpoint(let address, let port): "\(address.description):\(port)"
                case .address(let address): address.description
                }
            }
        }

        /// How the lesson was learned, by flow id.
        enum How {
            case stun(UInt64)
            case socket(UInt64)
            case earlier(UInt64)

            var text: String {
                switch self {
                case .stun(let id): "stun set-up of flow \(id)"
                case .socket(let id): "same local socket as the call set-up of flow \(id)"
                case .earlier(let id): "earlier flow \(id) of the same client to the same server"
                }
            }
        }
    }

    struct Endpoint: Hashable {
        var address: IPAddress
        var port: UInt16
    }

    struct Pair: Hashable {
        var client: IPAddress
        var server: IPAddress
        var serverPort: UInt16
        var proto: UInt8
    }

    static let capacity = 65_536
    private var endpoints: [Endpoint: Lesson] = [:]
    private var pairs: [Pair: Lesson] = [:]

    mutating func learn(from flow: FlowSummary, evidence: FlowEvidence?, platform: String, service: String, confidence: Confidence, rule: String) {
        if endpoints.count >= CrossFlowMemory.capacity { endpoints.removeAll(keepingCapacity: true) }
        if pairs.count >= CrossFlowMemory.capacity { pairs.removeAll(keepingCapacity: true) }
        // Media of a call goes to the addresses its STUN/TURN set-up revealed.
        if let stun = evidence?.stun {
            for (field, list) in [(Field.stunRelayed, stun.relayed), (.stunPeer, stun.peer), (.stunMapped, stun.mapped)] {
                for revealed in list {
                    endpoints[Endpoint(address: revealed.address, port: revealed.port)] = Lesson(
                        platform: platform, service: "call", confidence: confidence, rule: rule, field: field.ruleName,
                        value: .text(revealed.description), how: .stun(flow.flowID))
                }
            }
        }
        // ICE reuses one local UDP socket for the set-up and the media of a call: later
        // flows from that socket belong to the same call.
        if flow.proto == IPProtocol.udp, evidence?.stun != nil || evidence?.appProto == .dtls || evidence?.rtp != nil {
            let socket = Endpoint(address: flow.clientAddress, port: flow.clientPort)
            if endpoints[socket] == nil {
                endpoints[socket] = Lesson(
                    platform: platform, service: "call", confidence: confidence, rule: rule, field: "src_port",
                    value: .endpoint(flow.clientAddress, flow.clientPort), how: .socket(flow.flowID))
            }
        }
        // A resolver or another shared service says nothing about the next flow to it.
        let sharedService = evidence?.appProto == .dns || [53, 853, 5353, 123].contains(flow.serverPort)
        let pair = Pair(client: flow.clientAddress, server: flow.serverAddress, serverPort: flow.serverPort, proto: flow.proto)
        if !sharedService && pairs[pair] == nil {
            pairs[pair] = Lesson(
                platform: platform, service: service, confidence: confidence, rule: rule,
                field: "dst_ip", value: .address(flow.serverAddress), how: .earlier(flow.flowID))
        }
    }

    /// A flow that names its own destination (SNI, DNS query, HTTP host, STUN realm)
    /// is judged by that name alone, never by what another flow taught.
    static func namesItself(_ facts: FlowFacts) -> Bool {
        selfNaming.contains { facts.has($0) }
    }

    private static let selfNaming = [Field.tlsSNI, .dnsQueryName, .httpHost, .stunRealm].map { TextFieldID($0)! }

    /// What the flow's own local socket (client address and port) taught, if anything.
    func socketLesson(for flow: FlowSummary) -> Lesson? {
        guard let lesson = endpoints[Endpoint(address: flow.clientAddress, port: flow.clientPort)],
              case .socket = lesson.how else { return nil }
        return lesson
    }

    func inherited(for flow: FlowSummary) -> Lesson? {
        if let lesson = endpoints[Endpoint(address: flow.serverAddress, port: flow.serverPort)]
            ?? endpoints[Endpoint(address: flow.clientAddress, port: flow.clientPort)] {
            return lesson
        }
        return pairs[Pair(client: flow.clientAddress, server: flow.serverAddress, serverPort: flow.serverPort, proto: flow.proto)]
    }
}

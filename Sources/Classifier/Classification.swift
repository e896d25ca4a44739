import Rules

extension Confidence {
    /// One step lower (evidence inherited from another flow is weaker).
    public var lowered: Confidence {
        switch self {
        case .high: .medium
        case .medium, .low: .low
        }
    }

    public var name: String { rawValue }
}

/// One fact that supports a label: the field, the value seen, and the rule (or the
/// cross-flow inheritance) that used it.
public struct EvidenceItem: Sendable, Equatable {
    public var field: String
    public var value: String
    public var rule: String
    /// Set when the fact came from another flow (DNS answer, STUN set-up, earlier flow).
    public var crossFlow: String?

    public init(field: String, value: String, rule: String, crossFlow: String? = nil) {
        self.field = field
        self.value = value
        self.rule = rule
        self.crossFlow = crossFlow
    }
}

/// What a flow is: the platform and service, how sure, why, and what the user did.
public struct Classification: Sendable {
    public var platform: String?
    public var service: String?
    public var confidence: Confidence?
    /// Names of the rules that matched, best first.
    public var rules: [String] = []
    public var evidence: [EvidenceItem] = []
    /// `chat`, `voice-call`, `video-call`, `file-transfer`, `web`, `keepalive`, `unknown`.
    public var activity: String = "unknown"

    public init() {}
}

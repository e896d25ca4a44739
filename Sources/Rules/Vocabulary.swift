/// The canonical platform names rules may label flows with.
///
/// A pack may add names of its own in its manifest (`platforms:`); everything else
/// is refused so that `signal`, `Signal` and `SignalApp` do not become three labels.
public enum Platforms {
    /// Canonical spellings, in the order the reference documents them.
    public static let known: [String] = [
        "Signal", "WhatsApp", "Telegram", "Threema", "Viber", "Wire", "Element", "Session", "Wickr", "Briar",
        "Tor", "Teams", "Skype", "LINE", "WeChat", "Messenger", "Discord", "Zoom", "Snapchat", "KakaoTalk",
        "IMO", "XMPP", "GoogleMeet", "Psiphon", "WireGuard", "OpenVPN",
    ]

    /// The canonical spelling of `name` (compared without case) among `known` and `extra`.
    public static func canonical(_ name: String, extra: [String] = []) -> String? {
        let lowered = name.lowercased()
        if let name = knownByLowercase[lowered] { return name }
        return extra.first { $0.lowercased() == lowered }
    }

    /// `known` by lower-case spelling (the first wins, as in a search of `known` in order).
    private static let knownByLowercase = Dictionary(known.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
}

/// What the labelled traffic does.
public enum Service: String, Sendable, Hashable, CaseIterable, Codable {
    case chat, call, media, push, web, proxy, infrastructure, signalling, auth, update, vpn
    case fileTransfer = "file-transfer"
}

/// How sure a rule is of its label; orders matches (high first).
public enum Confidence: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case low, medium, high

    var rank: Int { self == .high ? 2 : self == .medium ? 1 : 0 }
    public static func < (lhs: Confidence, rhs: Confidence) -> Bool { lhs.rank < rhs.rank }
}

/// The life-cycle state of a rule, as in Sigma.
public enum RuleStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case stable, test, experimental, deprecated
}

/// Traffic Light Protocol 2.0 marking; ordered from least to most restrictive.
public enum TLP: String, Sendable, Hashable, CaseIterable, Comparable, Codable {
    case clear
    case green
    case amber
    case amberStrict = "amber+strict"
    case red

    var rank: Int { TLP.allCases.firstIndex(of: self)! }
    public static func < (lhs: TLP, rhs: TLP) -> Bool { lhs.rank < rhs.rank }

    /// Parses `amber`, `TLP:AMBER`, `amber+strict`; TLP 1.0 `white` is read as `clear`.
    public init?(marking: String) {
        var text = marking.lowercased()
        if text.hasPrefix("tlp:") { text.removeFirst(4) }
        if text == "white" { text = "clear" }
        self.init(rawValue: text)
    }

    /// `TLP:AMBER+STRICT` style, for exports and banners.
    public var label: String { "TLP:" + rawValue.uppercased() }
}

/// Parses a value that must be one of an enum's raw values, with a hint on failure.
func parseEnum<E: RawRepresentable & CaseIterable>(_ node: YNode, file: String, key: String, as: E.Type) throws(RuleError) -> E where E.RawValue == String {
    guard let text = node.string, let value = E(rawValue: text.lowercased()) else {
        let names = E.allCases.map(\.rawValue)
        throw node.place(file).error("'\(key)' must be one of \(names.joined(separator: ", ")), found '\(node.string ?? node.kindName)'",
                                     hint: suggestion(for: node.string ?? "", among: names))
    }
    return value
}

/// True for `YYYY-MM-DD` with a plausible month and day.
func isISODate(_ text: String) -> Bool {
    let b = Array(text.utf8)
    guard b.count == 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-") else { return false }
    for i in [0, 1, 2, 3, 5, 6, 8, 9] where !(48...57).contains(b[i]) { return false }
    let month = Int(b[5] - 48) * 10 + Int(b[6] - 48), day = Int(b[8] - 48) * 10 + Int(b[9] - 48)
    return (1...12).contains(month) && (1...31).contains(day)
}

/// True for a UUID in 8-4-4-4-12 hex form.
func isUUID(_ text: String) -> Bool {
    let b = Array(text.utf8)
    guard b.count == 36 else { return false }
    for (i, c) in b.enumerated() {
        if [8, 13, 18, 23].contains(i) {
            if c != UInt8(ascii: "-") { return false }
        } else if !isHexDigit(c) {
            return false
        }
    }
    return true
}

func isHexDigit(_ c: UInt8) -> Bool {
    (48...57).contains(c) || (97...102).contains(c) || (65...70).contains(c)
}

func hexValue(_ c: UInt8) -> UInt8? {
    switch c {
    case 48...57: return c - 48
    case 97...102: return c - 87
    case 65...70: return c - 55
    default: return nil
    }
}

import Schema

/// The formats whose records follow another tool's schema: each field goes to the
/// paths its declaration gives for the format (`FieldDeclaration.eve`, `.ecs`), and
/// whatever has none goes under `cipherscope.` with its own dotted name.
public enum TreeFormat: Sendable {
    /// Suricata's EVE JSON, one `event_type: "flow"` record per flow.
    case eve
    /// Elastic Common Schema documents.
    case ecs

    /// The parsed paths of every field, by `rawValue`.
    var paths: [[ParsedPath]] {
        switch self {
        case .eve: TreeFormat.evePaths
        case .ecs: TreeFormat.ecsPaths
        }
    }

    static let evePaths: [[ParsedPath]] = Field.declarations.map { $0.eve.paths.map(ParsedPath.init) }
    static let ecsPaths: [[ParsedPath]] = Field.declarations.map { $0.ecs.paths.map(ParsedPath.init) }

    /// Whether a list field's items have members that go under `cipherscope.` (no
    /// path, or plain paths that only the first item takes), by `rawValue`.
    var listFallback: [Bool] {
        switch self {
        case .eve: TreeFormat.eveListFallback
        case .ecs: TreeFormat.ecsListFallback
        }
    }

    static let eveListFallback = listFallback(evePaths)
    static let ecsListFallback = listFallback(ecsPaths)

    static func listFallback(_ paths: [[ParsedPath]]) -> [Bool] {
        Field.allCases.map { list in
            let declaration = Field.declarations[list.rawValue]
            guard declaration.kind == .objects else { return false }
            let listHasArray = paths[list.rawValue].contains(where: \.hasArray)
            return Field.allCases.contains { member in
                guard Field.declarations[member.rawValue].parent == Substring(declaration.name) else { return false }
                return paths[member.rawValue].isEmpty || !listHasArray
            }
        }
    }

    /// The keys a record starts with, in order (those that get a value).
    var skeleton: [String] {
        switch self {
        case .eve:
            ["timestamp", "flow_id", "event_type", "src_ip", "src_port", "dest_ip", "dest_port", "proto", "ip_v",
             "icmp_type", "icmp_code", "app_proto", "community_id", "pcap_filename", "vlan", "flow"]
        case .ecs:
            ["@timestamp", "event", "source", "destination", "network", "related"]
        }
    }
}

/// A value as a record describes it, before the format converts it.
enum NativeValue {
    case text(String), texts([String]), integer(Int64), integers([Int64]), bool(Bool), time(Int64), seconds(Int64)
}

/// The EVE and ECS projections of the field declarations: a `FieldSink` that places
/// each described value at its declared path(s) in a small ordered tree, converting
/// it where the format wants another form (keyed by `Field`), then serialises it.
public struct TreeFieldWriter: FieldSink {
    let format: TreeFormat
    let root: TreeObject
    private let nanosecondDigits: Bool

    /// The list being described (the `objects` call), and its item's index.
    private var list: Field?
    private var itemIndex = 0
    /// The current item's object in each array (by the array's path).
    private var items: [[String]: TreeObject] = [:]

    /// Facts other fields' conversions need.
    private var isQUIC = false
    private var packetsC2S: Int64?, packetsS2C: Int64?, bytesC2S: Int64?, bytesS2C: Int64?

    public init(format: TreeFormat, nanosecondDigits: Bool) {
        self.format = format
        self.nanosecondDigits = nanosecondDigits
        root = TreeObject(skeleton: format.skeleton)
        switch format {
        case .eve:
            root.set("event_type", .text("flow"))
        case .ecs:
            let event = root.object("event")!
            event.set("kind", .text("event"))
            event.set("category", .texts(["network"]))
            event.set("type", .texts(["connection", "end"]))
            event.set("dataset", .text("cipherscope.flow"))
        }
    }

    /// The finished record and a newline.
    public consuming func line() -> [UInt8] {
        switch format {
        case .eve:
            // EVE's dns object requires its format version (3: `queries[]`, `answers[]`).
            if root.has("dns"), let dns = root.object("dns") { dns.prepend("version", .integer(3)) }
        case .ecs:
            if let network = root.object("network") {
                if let c2s = bytesC2S, let s2c = bytesS2C { network.set("bytes", .integer(c2s + s2c)) }
                if let c2s = packetsC2S, let s2c = packetsS2C { network.set("packets", .integer(c2s + s2c)) }
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2048)
        root.append(to: &bytes, last: "cipherscope")
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    public func wants(_ field: Field) -> Bool { Field.declarations[field.rawValue].output }

    public mutating func text(_ field: Field, _ value: String) {
        if field == .appProto { isQUIC = value == "quic" }
        put(field, .text(value))
    }

    public mutating func texts(_ field: Field, _ values: [String]) { put(field, .texts(values)) }

    public mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {
        let number = Int64(clamping: value)
        switch field {
        case .packetsC2S: packetsC2S = number
        case .packetsS2C: packetsS2C = number
        case .bytesC2S: bytesC2S = number
        case .bytesS2C: bytesS2C = number
        default: break
        }
        if field == .flowID, format == .eve {
            // Suricata masks flow ids to 51 bits (JSON consumers lose precision above).
            put(field, .integer(Int64(UInt64(truncatingIfNeeded: value) & (1 << 51 - 1))))
        } else {
            put(field, .integer(number))
        }
    }

    public mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        put(field, .integers(values.map { Int64(clamping: $0) }))
    }

    public mutating func bool(_ field: Field, _ value: Bool) { put(field, .bool(value)) }
    public mutating func time(_ field: Field, nanoseconds: Int64) { put(field, .time(nanoseconds)) }
    public mutating func seconds(_ field: Field, nanoseconds: Int64) { put(field, .seconds(nanoseconds)) }

    public mutating func object(_ field: Field, _ body: (inout TreeFieldWriter) -> Void) { body(&self) }

    public mutating func objects<C: Collection>(_ field: Field, _ values: C, _ body: (C.Element, inout TreeFieldWriter) -> Void) {
        let saved = (list, itemIndex, items)
        list = field
        for (index, value) in values.enumerated() {
            itemIndex = index
            items = [:]
            // Members under `cipherscope.` keep their item's position in the list.
            if format.listFallback[field.rawValue] { _ = item(fallbackArray(field)) }
            body(value, &self)
        }
        (list, itemIndex, items) = saved
    }

    // MARK: Placing values

    private mutating func put(_ field: Field, _ value: NativeValue) {
        let paths = format.paths[field.rawValue]
        guard !paths.isEmpty else { return fallback(field, value) }
        for (index, path) in paths.enumerated() {
            guard let converted = convert(field, index, value) else { continue }
            if case .empty = converted { fallback(field, value); continue }
            place(field, path, converted, native: value)
        }
    }

    private mutating func place(_ field: Field, _ path: ParsedPath, _ value: TreeValue, native: NativeValue) {
        if path.hasArray {
            if path.rest.isEmpty {
                // A value appended to an array (`related.ip[]`).
                root.object(at: path.array.dropLast())?.array(path.array.last!)?.appendUnique(value)
            } else if list != nil, let item = item(path.array) {
                item.set(at: path.rest[...], value)
            } else {
                fallback(field, native)
            }
            return
        }
        // A plain path inside a list: the first item's.
        if list != nil && itemIndex > 0 { return fallback(field, native) }
        var rest = path.rest[...]
        if format == .eve && isQUIC && rest.first == "tls" {
            // Suricata logs a QUIC flow's TLS handshake under `quic`, which has fewer members.
            let member = rest.dropFirst().joined(separator: ".")
            guard TreeFieldWriter.quicMembers.contains(member) else { return fallback(field, native) }
            rest = ["quic"] + rest.dropFirst()
        }
        if !root.set(at: rest, value) { fallback(field, native) }
    }

    static let quicMembers: Set<String> = ["sni", "ja3.hash", "ja3.string", "ja3s.hash", "ja3s.string", "ja4"]

    /// `cipherscope.<name>`, or the member of the list item's copy under `cipherscope.`.
    private mutating func fallback(_ field: Field, _ value: NativeValue) {
        let declaration = Field.declarations[field.rawValue]
        let encoded = encode(value)
        if let list, declaration.parent == Substring(Field.declarations[list.rawValue].name) {
            item(fallbackArray(list))?.set(String(declaration.key), encoded)
        } else {
            root.set(at: (["cipherscope"] + declaration.name.split(separator: ".").map(String.init))[...], encoded)
        }
    }

    private func fallbackArray(_ list: Field) -> [String] {
        ["cipherscope"] + Field.declarations[list.rawValue].name.split(separator: ".").map(String.init)
    }

    /// The current list item's object in the array at `path` (created on first use).
    private mutating func item(_ path: [String]) -> TreeObject? {
        if let item = items[path] { return item }
        guard let key = path.last, let array = root.object(at: path.dropLast())?.array(key) else { return nil }
        let item = TreeObject()
        array.items.append(.object(item))
        items[path] = item
        return item
    }

    // MARK: Values in the format's form

    /// The value as the record describes it (under `cipherscope.`, or a path that takes it as is).
    private func encode(_ value: NativeValue) -> TreeValue {
        switch value {
        case .text(let text): .text(text)
        case .texts(let texts): .texts(texts)
        case .integer(let number): .integer(number)
        case .integers(let numbers): .integers(numbers)
        case .bool(let flag): .bool(flag)
        case .time(let nanoseconds):
            switch format {
            case .eve: .text(TreeFieldWriter.eveTimestamp(nanoseconds))
            case .ecs: .text(TimeFormat.rfc3339(nanoseconds, nanosecondDigits: nanosecondDigits))
            }
        case .seconds(let nanoseconds):
            switch format {
            case .eve: .integer(nanoseconds / 1_000_000_000)
            case .ecs: .integer(nanoseconds)
            }
        }
    }

    /// The value for the field's `index`th path; nil leaves that path out, `.empty`
    /// sends the value under `cipherscope.` instead (it does not fit there).
    private func convert(_ field: Field, _ index: Int, _ value: NativeValue) -> TreeValue? {
        switch format {
        case .eve: eveValue(field, index, value)
        case .ecs: ecsValue(field, index, value)
        }
    }

    private func eveValue(_ field: Field, _ index: Int, _ value: NativeValue) -> TreeValue? {
        guard case .text(let text) = value else { return encode(value) }
        switch field {
        case .proto:
            return .text(TreeFieldWriter.suricataProto[text] ?? text)
        case .endReason:
            switch index {
            case 0:
                // Suricata's flow states: closed after FIN or RST, else established once
                // both sides have spoken, new before.
                if text == "fin" || text == "rst" { return .text("closed") }
                return .text((packetsS2C ?? 0) > 0 && (packetsC2S ?? 0) > 0 ? "established" : "new")
            case 1:
                // Why the flow was logged: timed out (idle, or closed and done), forced out
                // (active timeout, table full), or still open when the input ended.
                switch text {
                case "fin", "rst", "idle": return .text("timeout")
                case "active", "evicted": return .text("forced")
                default: return .text("shutdown")
                }
            default: return .text(text)
            }
        case .tlsVersion:
            return .text(TreeFieldWriter.suricataTLSVersion(text))
        case .tlsALPNSelected:
            return .texts([text])
        case .tlsCertificateNotBefore, .tlsCertificateNotAfter:
            // Suricata's certificate dates: `YYYY-MM-DDTHH:MM:SS`, no zone.
            return text.utf8.count >= 19 ? .text(String(text.prefix(19))) : .empty
        case .tlsCertificateSerial:
            return .text(TreeFieldWriter.colonPairs(text.uppercased()))
        case .sshClientBanner, .sshServerBanner:
            // `SSH-2.0-OpenSSH_9.2p1 Debian-2` → proto_version `2.0`, software_version the rest.
            let parts = text.split(separator: "-", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "SSH" else { return index == 1 ? .text(text) : nil }
            return .text(String(index == 0 ? parts[1] : parts[2]))
        default:
            return .text(text)
        }
    }

    private func ecsValue(_ field: Field, _ index: Int, _ value: NativeValue) -> TreeValue? {
        switch (field, value) {
        case (.flowID, .integer(let number)):
            return .text(String(number))
        case (.proto, .text(let text)):
            if index == 0 { return .text(text == "icmpv6" ? "ipv6-icmp" : text) }
            return .text(TreeFieldWriter.ianaNumbers[text] ?? text)
        case (.ipVersion, .integer(let version)):
            return .text(version == 6 ? "ipv6" : "ipv4")
        case (.tlsVersion, .text(let text)):
            let (proto, version) = TreeFieldWriter.versionParts(text)
            if index == 0 { return .text(version) }
            return proto.map { .text($0) }
        case (.tlsSNI, .text(let text)):
            return .text(index == 1 && text.hasSuffix(".") ? String(text.dropLast()) : text)
        case (.tlsCertificateSerial, .text(let text)):
            return .text(text.uppercased())
        case (.platform, .text(let text)):
            return .text(index == 0 ? text.lowercased() : text)
        default:
            return encode(value)
        }
    }

    static let suricataProto: [String: String] = ["tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "icmpv6": "IPv6-ICMP", "sctp": "SCTP"]
    static let ianaNumbers: [String: String] = ["tcp": "6", "udp": "17", "icmp": "1", "icmpv6": "58", "sctp": "132"]

    /// `1.3` → `TLS 1.3`, `dtls1.2` → `DTLS 1.2`, `ssl3` → `SSLv3`, else `0x…` (Suricata's names).
    static func suricataTLSVersion(_ text: String) -> String {
        switch text {
        case "1.0", "1.1", "1.2", "1.3": "TLS " + text
        case "dtls1.0", "dtls1.2", "dtls1.3": "DTLS " + text.dropFirst(4)
        case "ssl3": "SSLv3"
        case "ssl2": "SSLv2"
        default: "0x" + text
        }
    }

    /// ECS's `tls.version_protocol` and `tls.version`: `1.3` → (tls, 1.3), `dtls1.2` → (dtls, 1.2), `ssl3` → (ssl, 3.0).
    static func versionParts(_ text: String) -> (String?, String) {
        switch text {
        case "1.0", "1.1", "1.2", "1.3": ("tls", text)
        case "dtls1.0", "dtls1.2", "dtls1.3": ("dtls", String(text.dropFirst(4)))
        case "ssl3": ("ssl", "3.0")
        case "ssl2": ("ssl", "2.0")
        default: (nil, text)
        }
    }

    /// `0C0001` → `0C:00:01` (Suricata's serial form).
    static func colonPairs(_ hex: String) -> String {
        var text = hex.count % 2 == 1 ? "0" + hex : hex
        var out = ""
        out.reserveCapacity(text.count * 3 / 2)
        while !text.isEmpty {
            if !out.isEmpty { out += ":" }
            out += text.prefix(2)
            text = String(text.dropFirst(2))
        }
        return out
    }

    /// Suricata's timestamp: `2019-05-28T23:32:29.025256+0000` (microseconds, offset without a colon).
    static func eveTimestamp(_ nanoseconds: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        TimeFormat.appendRFC3339(nanoseconds, nanosecondDigits: false, to: &bytes)
        bytes.removeLast()
        bytes.append(contentsOf: "+0000".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }
}

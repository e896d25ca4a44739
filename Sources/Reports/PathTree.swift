/// A JSON object built from dotted paths, in insertion order: the EVE and ECS
/// projections place each value at its declared path, and paths do not follow the
/// record's field order, so a record is collected here and then serialised.
final class TreeObject {
    private(set) var keys: [String] = []
    private(set) var values: [TreeValue] = []

    init() {}

    /// An object whose keys come first in this order (when they get a value).
    init(skeleton: [String]) {
        keys = skeleton
        values = Array(repeating: .empty, count: skeleton.count)
    }

    func index(of key: String) -> Int? { keys.firstIndex(of: key) }

    func has(_ key: String) -> Bool {
        guard let i = index(of: key) else { return false }
        if case .empty = values[i] { return false }
        return true
    }

    /// Sets `key` unless it already holds a value (the first value wins); false then.
    @discardableResult
    func set(_ key: String, _ value: TreeValue) -> Bool {
        if let i = index(of: key) {
            guard case .empty = values[i] else { return false }
            values[i] = value
        } else {
            keys.append(key)
            values.append(value)
        }
        return true
    }

    /// Inserts `key` first (a constant member the format wants in front).
    func prepend(_ key: String, _ value: TreeValue) {
        guard index(of: key) == nil else { return }
        keys.insert(key, at: 0)
        values.insert(value, at: 0)
    }

    /// The object at `key`, created when absent; nil when `key` holds something else.
    func object(_ key: String) -> TreeObject? {
        if let i = index(of: key) {
            switch values[i] {
            case .object(let object): return object
            case .empty:
                let object = TreeObject()
                values[i] = .object(object)
                return object
            default: return nil
            }
        }
        let object = TreeObject()
        keys.append(key)
        values.append(.object(object))
        return object
    }

    /// The array at `key`, created when absent; nil when `key` holds something else.
    func array(_ key: String) -> TreeArray? {
        if let i = index(of: key) {
            switch values[i] {
            case .array(let array): return array
            case .empty:
                let array = TreeArray()
                values[i] = .array(array)
                return array
            default: return nil
            }
        }
        let array = TreeArray()
        keys.append(key)
        values.append(.array(array))
        return array
    }

    /// The object at the path of components (created as needed), or nil on a clash.
    func object<C: Collection>(at path: C) -> TreeObject? where C.Element == String {
        var object = self
        for key in path {
            guard let next = object.object(key) else { return nil }
            object = next
        }
        return object
    }

    /// Sets the value at the path (the last component is the key); false on a clash
    /// or when the place already holds a value.
    @discardableResult
    func set(at path: ArraySlice<String>, _ value: TreeValue) -> Bool {
        guard let key = path.last, let parent = object(at: path.dropLast()) else { return false }
        return parent.set(key, value)
    }

    /// Appends the JSON text; members without a value are left out, and `last` (if
    /// given) comes after every other member.
    func append(to bytes: inout [UInt8], last: String? = nil) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        func member(_ i: Int) {
            if case .empty = values[i] { return }
            if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
            JSONObject.appendQuoted(keys[i], to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            values[i].append(to: &bytes)
        }
        var lastIndex: Int?
        for i in keys.indices {
            if let last, keys[i] == last { lastIndex = i } else { member(i) }
        }
        if let lastIndex { member(lastIndex) }
        bytes.append(UInt8(ascii: "}"))
    }
}

final class TreeArray {
    var items: [TreeValue] = []

    /// Appends a scalar unless an equal one is there already.
    func appendUnique(_ value: TreeValue) {
        if case .raw(let new) = value {
            for case .raw(let old) in items where old == new { return }
        }
        items.append(value)
    }
}

enum TreeValue {
    /// A reserved place (a skeleton key) without a value yet: not written.
    case empty
    /// Encoded JSON.
    case raw([UInt8])
    case object(TreeObject)
    case array(TreeArray)

    func append(to bytes: inout [UInt8]) {
        switch self {
        case .empty: bytes.append(contentsOf: "null".utf8)
        case .raw(let raw): bytes.append(contentsOf: raw)
        case .object(let object): object.append(to: &bytes)
        case .array(let array):
            bytes.append(UInt8(ascii: "["))
            for (i, item) in array.items.enumerated() {
                if i > 0 { bytes.append(UInt8(ascii: ",")) }
                item.append(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    static func text(_ value: String) -> TreeValue {
        var bytes: [UInt8] = []
        JSONObject.appendQuoted(value, to: &bytes)
        return .raw(bytes)
    }

    static func texts<S: Sequence>(_ values: S) -> TreeValue where S.Element == String {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONObject.appendQuoted(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return .raw(bytes)
    }

    static func integer<T: BinaryInteger>(_ value: T) -> TreeValue {
        var bytes: [UInt8] = []
        JSONObject.appendInteger(value, to: &bytes)
        return .raw(bytes)
    }

    static func integers(_ values: [Int64]) -> TreeValue {
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONObject.appendInteger(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
        return .raw(bytes)
    }

    static func bool(_ value: Bool) -> TreeValue { .raw(Array((value ? "true" : "false").utf8)) }
}

/// A declared path, parsed once: `dns.queries[].rrname` is the array at
/// `dns.queries` and, in its current item, `rrname`; `tls.sni` has no array.
struct ParsedPath: Sendable {
    /// The components before `[]`, or empty.
    var array: [String]
    var hasArray: Bool
    /// The components after `[]`, or the whole path.
    var rest: [String]

    init(_ text: String) {
        let components = text.split(separator: ".").map(String.init)
        if let i = components.firstIndex(where: { $0.hasSuffix("[]") }) {
            array = components[..<i].map { $0 } + [String(components[i].dropLast(2))]
            rest = Array(components[(i + 1)...])
            hasArray = true
        } else {
            array = []
            rest = components
            hasArray = false
        }
    }
}

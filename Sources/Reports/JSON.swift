/// Minimal JSON building straight into UTF-8 bytes: an object written key by key,
/// in a fixed order, with no intermediate strings for numbers.
public struct JSONObject {
    public private(set) var bytes: [UInt8]
    private var first = true

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    /// An object with no bytes yet, about to take a parent's buffer.
    private init(borrowing: Void) {
        bytes = []
    }

    @inline(__always)
    mutating func key(_ name: StaticString) {
        if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    @inline(__always)
    mutating func key(_ name: String) {
        if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
        JSONObject.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func add(_ name: StaticString, _ value: String) {
        key(name)
        JSONObject.appendQuoted(value, to: &bytes)
    }

    public mutating func add<T: BinaryInteger>(_ name: StaticString, _ value: T) {
        key(name)
        JSONObject.appendInteger(value, to: &bytes)
    }

    public mutating func add(_ name: StaticString, _ value: Bool) {
        key(name)
        let text: StaticString = value ? "true" : "false"
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A timestamp as an RFC 3339 string (see `TimeFormat`), written in place.
    public mutating func add(_ name: StaticString, time nanoseconds: Int64, nanosecondDigits: Bool) {
        key(name)
        bytes.append(UInt8(ascii: "\""))
        TimeFormat.appendRFC3339(nanoseconds, nanosecondDigits: nanosecondDigits, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A duration in seconds with six (or nine) decimals, written in place.
    public mutating func add(_ name: StaticString, seconds nanoseconds: Int64, nanosecondDigits: Bool) {
        key(name)
        TimeFormat.appendSeconds(nanoseconds, nanosecondDigits: nanosecondDigits, to: &bytes)
    }

    /// A number or JSON text written as given (already formatted, e.g. seconds with decimals).
    public mutating func add(_ name: StaticString, raw: String) {
        key(name)
        bytes.append(contentsOf: raw.utf8)
    }

    public mutating func add<T: BinaryInteger>(_ name: StaticString, _ values: [T]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONObject.appendInteger(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func add(_ name: StaticString, strings values: [String]) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONObject.appendQuoted(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func add(_ name: StaticString, object: JSONObject) {
        key(name)
        bytes.append(contentsOf: object.bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// A nested object, written in place into this object's bytes (no buffer of its own).
    public mutating func addObject(_ name: StaticString, _ body: (inout JSONObject) -> Void) {
        key(name)
        writeNested(body)
    }

    /// A list of nested objects, each written in place by `body(element, &object)`.
    public mutating func addObjects<Elements: Sequence>(_ name: StaticString, _ elements: Elements, _ body: (Elements.Element, inout JSONObject) -> Void) {
        key(name)
        bytes.append(UInt8(ascii: "["))
        var firstElement = true
        for element in elements {
            if firstElement { firstElement = false } else { bytes.append(UInt8(ascii: ",")) }
            writeNested { body(element, &$0) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// Lends this object's buffer to a nested object (swapping arrays moves no bytes).
    private mutating func writeNested(_ body: (inout JSONObject) -> Void) {
        var nested = JSONObject(borrowing: ())
        swap(&nested.bytes, &bytes)
        nested.bytes.append(UInt8(ascii: "{"))
        body(&nested)
        swap(&nested.bytes, &bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// A member whose name is data (e.g. a platform name or an end reason).
    public mutating func add<T: BinaryInteger>(dynamic name: String, _ value: T) {
        key(name)
        JSONObject.appendInteger(value, to: &bytes)
    }

    public mutating func add(dynamic name: String, object: JSONObject) {
        key(name)
        bytes.append(contentsOf: object.bytes)
        bytes.append(UInt8(ascii: "}"))
    }

    /// The finished object's bytes.
    public var closedBytes: [UInt8] {
        var closed = bytes
        closed.append(UInt8(ascii: "}"))
        return closed
    }

    /// The finished object and a newline, without copying (a JSON Lines record).
    public consuming func line() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The finished object as text.
    public var closed: String { String(decoding: closedBytes, as: UTF8.self) }

    @inline(__always)
    static func appendInteger<T: BinaryInteger>(_ value: T, to bytes: inout [UInt8]) {
        JSONBytes.appendInteger(value, to: &bytes)
    }

    /// Appends `value` as a JSON string, escaping quotes, backslashes and control characters.
    public static func appendQuoted(_ value: String, to bytes: inout [UInt8]) {
        JSONBytes.appendQuoted(value, to: &bytes)
    }
}

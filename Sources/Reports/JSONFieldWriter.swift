import Schema

/// The JSON projection of the field declarations: a `FieldSink` that writes each
/// described field under its declared key (the last component of its dotted
/// name), nested objects in place, straight into UTF-8 bytes.
public struct JSONFieldWriter: FieldSink {
    public private(set) var bytes: [UInt8]
    private var first = true
    /// Print times with nanoseconds rather than microseconds.
    private let nanosecondDigits: Bool

    public init(capacity: Int = 2048, nanosecondDigits: Bool) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
        self.nanosecondDigits = nanosecondDigits
    }

    /// `"key":` of every field, by `rawValue`.
    static let keys: [[UInt8]] = Field.declarations.map { declaration in
        var quoted: [UInt8] = []
        JSONObject.appendQuoted(String(declaration.key), to: &quoted)
        quoted.append(UInt8(ascii: ":"))
        return quoted
    }

    /// The finished object and a newline (a JSON Lines record).
    public consuming func line() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    public func wants(_ field: Field) -> Bool { Field.declarations[field.rawValue].output }

    @inline(__always)
    private mutating func key(_ field: Field) {
        if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
        bytes.append(contentsOf: JSONFieldWriter.keys[field.rawValue])
    }

    public mutating func text(_ field: Field, _ value: String) {
        key(field)
        JSONObject.appendQuoted(value, to: &bytes)
    }

    public mutating func texts(_ field: Field, _ values: [String]) {
        key(field)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONObject.appendQuoted(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {
        key(field)
        JSONObject.appendInteger(value, to: &bytes)
    }

    public mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        key(field)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONObject.appendInteger(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func bool(_ field: Field, _ value: Bool) {
        key(field)
        let text: StaticString = value ? "true" : "false"
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    public mutating func time(_ field: Field, nanoseconds: Int64) {
        key(field)
        bytes.append(UInt8(ascii: "\""))
        TimeFormat.appendRFC3339(nanoseconds, nanosecondDigits: nanosecondDigits, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func seconds(_ field: Field, nanoseconds: Int64) {
        key(field)
        TimeFormat.appendSeconds(nanoseconds, nanosecondDigits: nanosecondDigits, to: &bytes)
    }

    public mutating func object(_ field: Field, _ body: (inout JSONFieldWriter) -> Void) {
        key(field)
        nested(body)
    }

    public mutating func objects<C: Collection>(_ field: Field, _ items: C, _ body: (C.Element, inout JSONFieldWriter) -> Void) {
        key(field)
        bytes.append(UInt8(ascii: "["))
        var firstItem = true
        for item in items {
            if firstItem { firstItem = false } else { bytes.append(UInt8(ascii: ",")) }
            nested { body(item, &$0) }
        }
        bytes.append(UInt8(ascii: "]"))
    }

    @inline(__always)
    private mutating func nested(_ body: (inout JSONFieldWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        first = true
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        first = false
    }
}

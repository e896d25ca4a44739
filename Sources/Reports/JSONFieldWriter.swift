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

    /// A writer that appends to `buffer`'s storage, after what it holds: the buffer is
    /// moved in (no copy) and must be handed back with `finishLine(into:)`.
    public init(appendingTo buffer: inout [UInt8], nanosecondDigits: Bool) {
        bytes = []
        swap(&bytes, &buffer)
        bytes.append(UInt8(ascii: "{"))
        self.nanosecondDigits = nanosecondDigits
    }

    /// `"key":` of every field, by `rawValue`, as plain bytes: appending one touches
    /// no reference count (an array per key would be retained and released each time).
    static let keys: [KeyBytes] = Field.declarations.map { declaration in
        var quoted: [UInt8] = []
        JSONObject.appendQuoted(String(declaration.key), to: &quoted)
        quoted.append(UInt8(ascii: ":"))
        return KeyBytes(quoted)
    }

    /// Up to 31 bytes held inline; a longer key is spelt from its declaration.
    struct KeyBytes {
        private var storage: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        /// 0: too long to hold.
        private var count = 0
        var isInline: Bool { count > 0 }

        init(_ quoted: [UInt8]) {
            guard quoted.count < MemoryLayout.size(ofValue: storage) else { return }
            count = quoted.count
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: quoted) }
        }

        @inline(__always)
        func append(of field: Field, to bytes: inout [UInt8]) {
            guard count > 0 else {
                JSONBytes.appendQuoted(String(Field.declarations[field.rawValue].key), to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                return
            }
            withUnsafeBytes(of: storage) { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[..<count])) }
        }
    }

    /// The finished object and a newline (a JSON Lines record).
    public consuming func line() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// Closes the object with a newline (a JSON Lines record) and hands the buffer
    /// taken by `init(appendingTo:nanosecondDigits:)` back to `buffer`.
    public consuming func finishLine(into buffer: inout [UInt8]) {
        bytes.append(UInt8(ascii: "}"))
        bytes.append(UInt8(ascii: "\n"))
        swap(&bytes, &buffer)
    }

    public func wants(_ field: Field) -> Bool { Field.declarations[field.rawValue].output }

    @inline(__always)
    private mutating func key(_ field: Field) {
        if first { first = false } else { bytes.append(UInt8(ascii: ",")) }
        JSONFieldWriter.keys[field.rawValue].append(of: field, to: &bytes)
    }

    public mutating func text(_ field: Field, _ value: String) {
        key(field)
        JSONBytes.appendQuoted(value, to: &bytes)
    }

    public mutating func texts(_ field: Field, _ values: [String]) {
        key(field)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONBytes.appendQuoted(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    public mutating func number<T: BinaryInteger>(_ field: Field, _ value: T) {
        key(field)
        JSONBytes.appendInteger(value, to: &bytes)
    }

    public mutating func numbers<T: BinaryInteger>(_ field: Field, _ values: [T]) {
        key(field)
        bytes.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONBytes.appendInteger(value, to: &bytes)
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

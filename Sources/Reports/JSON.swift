/// Minimal JSON text building: an object written key by key, in a fixed order.
public struct JSONObject {
    public private(set) var text = "{"
    private var first = true

    public init() {}

    @inline(__always)
    mutating func key(_ name: String) {
        if first { first = false } else { text += "," }
        text += "\""
        text += name
        text += "\":"
    }

    public mutating func add(_ name: String, _ value: String) {
        key(name)
        JSONObject.appendQuoted(value, to: &text)
    }

    public mutating func add<T: BinaryInteger>(_ name: String, _ value: T) {
        key(name)
        text += String(value)
    }

    public mutating func add(_ name: String, _ value: Bool) {
        key(name)
        text += value ? "true" : "false"
    }

    /// A number written as given (already formatted, e.g. seconds with decimals).
    public mutating func add(_ name: String, raw: String) {
        key(name)
        text += raw
    }

    public mutating func add<T: BinaryInteger>(_ name: String, _ values: [T]) {
        key(name)
        text += "["
        for (i, value) in values.enumerated() {
            if i > 0 { text += "," }
            text += String(value)
        }
        text += "]"
    }

    public mutating func add(_ name: String, strings values: [String]) {
        key(name)
        text += "["
        for (i, value) in values.enumerated() {
            if i > 0 { text += "," }
            JSONObject.appendQuoted(value, to: &text)
        }
        text += "]"
    }

    public mutating func add(_ name: String, object: JSONObject) {
        key(name)
        text += object.closed
    }

    public var closed: String { text + "}" }

    /// Appends `value` as a JSON string, escaping quotes, backslashes and control characters.
    public static func appendQuoted(_ value: String, to text: inout String) {
        text += "\""
        var needsEscape = false
        for byte in value.utf8 where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            needsEscape = true
            break
        }
        if !needsEscape {
            text += value
        } else {
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text += "\\\""
                case "\\": text += "\\\\"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                case "\t": text += "\\t"
                default:
                    if scalar.value < 0x20 {
                        let hex = String(scalar.value, radix: 16)
                        text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        text.unicodeScalars.append(scalar)
                    }
                }
            }
        }
        text += "\""
    }
}

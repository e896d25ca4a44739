/// RFC 3339 UTC timestamps from nanoseconds since the Unix epoch, without Foundation.
/// Written digit by digit into byte buffers: every flow record has three of them.
public enum TimeFormat {
    /// `2024-05-01T12:34:56.123456Z` (or nine fractional digits).
    public static func rfc3339(_ nanoseconds: Int64, nanosecondDigits: Bool) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        appendRFC3339(nanoseconds, nanosecondDigits: nanosecondDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `rfc3339(_:nanosecondDigits:)` to `bytes`.
    public static func appendRFC3339(_ nanoseconds: Int64, nanosecondDigits: Bool, to bytes: inout [UInt8]) {
        let (seconds, fraction) = split(nanoseconds)
        let c = civilFields(seconds)
        guard (0...9999).contains(c.year) else {
            appendRFC3339Digitwise(c, fraction: fraction, nanosecondDigits: nanosecondDigits, to: &bytes)
            return
        }
        // Four-digit years (every Int64 of nanoseconds: 1677–2262): the fixed layout
        // filled in place, one copy.
        var text: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        let count = nanosecondDigits ? 30 : 27
        withUnsafeMutableBytes(of: &text) { raw in
            func put(_ value: Int64, _ width: Int, at end: Int) {
                var rest = UInt64(truncatingIfNeeded: value)
                for index in stride(from: end - 1, through: end - width, by: -1) {
                    raw[index] = UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: rest % 10)
                    rest /= 10
                }
            }
            put(c.year, 4, at: 4); raw[4] = UInt8(ascii: "-")
            put(c.month, 2, at: 7); raw[7] = UInt8(ascii: "-")
            put(c.day, 2, at: 10); raw[10] = UInt8(ascii: "T")
            put(c.hour, 2, at: 13); raw[13] = UInt8(ascii: ":")
            put(c.minute, 2, at: 16); raw[16] = UInt8(ascii: ":")
            put(c.second, 2, at: 19); raw[19] = UInt8(ascii: ".")
            if nanosecondDigits { put(fraction, 9, at: 29) } else { put(fraction / 1000, 6, at: 26) }
            raw[count - 1] = UInt8(ascii: "Z")
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[..<count]))
        }
    }

    /// Any year (a guard should the range above ever widen): field by field.
    static func appendRFC3339Digitwise(_ c: (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64),
                                               fraction: Int64, nanosecondDigits: Bool, to bytes: inout [UInt8]) {
        appendDigits(c.year, 4, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(c.month, 2, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(c.day, 2, to: &bytes)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(c.hour, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(c.minute, 2, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(c.second, 2, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        if nanosecondDigits { appendDigits(fraction, 9, to: &bytes) } else { appendDigits(fraction / 1000, 6, to: &bytes) }
        bytes.append(UInt8(ascii: "Z"))
    }

    /// `YYYY-MM-DD` and `HH:MM:SS` of a Unix time.
    public static func civil(_ seconds: Int64) -> (date: String, time: String) {
        let c = civilFields(seconds)
        var date: [UInt8] = [], time: [UInt8] = []
        appendDigits(c.year, 4, to: &date)
        date.append(UInt8(ascii: "-"))
        appendDigits(c.month, 2, to: &date)
        date.append(UInt8(ascii: "-"))
        appendDigits(c.day, 2, to: &date)
        appendDigits(c.hour, 2, to: &time)
        time.append(UInt8(ascii: ":"))
        appendDigits(c.minute, 2, to: &time)
        time.append(UInt8(ascii: ":"))
        appendDigits(c.second, 2, to: &time)
        return (String(decoding: date, as: UTF8.self), String(decoding: time, as: UTF8.self))
    }

    /// Calendar fields (proleptic Gregorian, UTC) of a Unix time.
    public static func civilFields(_ seconds: Int64) -> (year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) {
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        // Howard Hinnant's days-to-civil algorithm.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day, secondOfDay / 3600, secondOfDay / 60 % 60, secondOfDay % 60)
    }

    /// Seconds with six (or nine) decimals, e.g. `1.250000`.
    public static func seconds(_ nanoseconds: Int64, nanosecondDigits: Bool) -> String {
        var bytes: [UInt8] = []
        appendSeconds(nanoseconds, nanosecondDigits: nanosecondDigits, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `seconds(_:nanosecondDigits:)` to `bytes`.
    public static func appendSeconds(_ nanoseconds: Int64, nanosecondDigits: Bool, to bytes: inout [UInt8]) {
        // A duration is signed as a whole: -0.5 s is "-0.500000" (not floor and remainder).
        if nanoseconds < 0 { bytes.append(UInt8(ascii: "-")) }
        let magnitude = nanoseconds.magnitude
        appendDigits(magnitude / 1_000_000_000, 1, to: &bytes)
        bytes.append(UInt8(ascii: "."))
        let fraction = magnitude % 1_000_000_000
        if nanosecondDigits { appendDigits(fraction, 9, to: &bytes) } else { appendDigits(fraction / 1000, 6, to: &bytes) }
    }

    static func split(_ nanoseconds: Int64) -> (Int64, Int64) {
        var seconds = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        return (seconds, fraction)
    }

    /// A non-negative number in decimal, zero-padded to at least `width` digits
    /// (a negative year, before 1 BC, keeps its sign).
    @inline(__always)
    static func appendDigits<T: BinaryInteger>(_ value: T, _ width: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        JSONBytes.appendDecimal(UInt64(value.magnitude), minimumDigits: width, to: &bytes)
    }
}

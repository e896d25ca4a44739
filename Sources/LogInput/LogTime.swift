/// Times as the logs write them, to nanoseconds since the Unix epoch.
public enum LogTime {
    /// `2019-05-28T23:32:29.025256+0200` (EVE), also `…Z` and `…+02:00` (RFC 3339).
    public static func parseISO(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 19 else { return nil }
        func num(_ from: Int, _ count: Int) -> Int64? {
            guard from + count <= b.count else { return nil }
            var value: Int64 = 0
            for i in from..<from + count {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                value = value * 10 + Int64(b[i] - 0x30)
            }
            return value
        }
        guard let year = num(0, 4), b[4] == 0x2D, let month = num(5, 2), b[7] == 0x2D, let day = num(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "), let hour = num(11, 2), b[13] == 0x3A,
              let minute = num(14, 2), b[16] == 0x3A, let second = num(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var fraction: Int64 = 0
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 {
                if digits < 9 { fraction = fraction * 10 + Int64(b[i] - 0x30) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in min(digits, 9)..<9 { fraction *= 10 }
        }
        var offset: Int64 = 0
        if i < b.count {
            if b[i] == UInt8(ascii: "Z") {
                i += 1
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
                guard let oh = num(i + 1, 2) else { return nil }
                var j = i + 3
                if j < b.count && b[j] == 0x3A { j += 1 }
                guard let om = num(j, 2), oh < 24, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
                i = j + 2
            } else {
                return nil
            }
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        // Times before 1970 or after 2262 (beyond Int64 nanoseconds) are refused, not wrapped.
        guard seconds >= 0, seconds < latestSecond else { return nil }
        return seconds * 1_000_000_000 + fraction
    }

    /// Epoch seconds with a fraction (`1606771175.391779`, Zeek's `ts`), exactly.
    public static func parseEpoch(_ text: String) -> Int64? {
        // JSON writers may use exponents for small intervals (`1.5e-05`): read those as a Double.
        if text.contains(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Double(text), value.isFinite, value >= 0, value < Double(latestSecond) else { return nil }
            return Int64((value * 1e9).rounded())
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var digits = 0
        var seenDot = false
        var any = false
        var negative = false
        for (index, byte) in text.utf8.enumerated() {
            if index == 0 && byte == UInt8(ascii: "-") { negative = true; continue }
            if byte == UInt8(ascii: ".") && !seenDot { seenDot = true; continue }
            guard byte >= 0x30 && byte <= 0x39 else { return nil }
            any = true
            if seenDot {
                if digits < 9 { fraction = fraction * 10 + Int64(byte - 0x30) }
                digits += 1
            } else {
                guard whole < latestSecond / 10 else { return nil }
                whole = whole * 10 + Int64(byte - 0x30)
            }
        }
        guard any, !negative else { return nil }
        for _ in min(digits, 9)..<9 { fraction *= 10 }
        return whole * 1_000_000_000 + fraction
    }

    /// Times and intervals are at most this many seconds (year 2255: sums of two stay in Int64 nanoseconds).
    static let latestSecond: Int64 = 9_000_000_000

    /// `a + b` without a trap (log times come from elsewhere).
    public static func sum(_ a: Int64, _ b: Int64) -> Int64 {
        let (value, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? .max : .min) : value
    }

    /// Either form (Zeek JSON logs may carry ISO 8601 times).
    public static func parse(_ text: String) -> Int64? {
        text.contains("-") && text.count > 12 ? parseISO(text) : parseEpoch(text)
    }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

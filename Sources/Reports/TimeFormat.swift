/// RFC 3339 UTC timestamps from nanoseconds since the Unix epoch, without Foundation.
public enum TimeFormat {
    /// `2024-05-01T12:34:56.123456Z` (or nine fractional digits).
    public static func rfc3339(_ nanoseconds: Int64, nanosecondDigits: Bool) -> String {
        let (seconds, fraction) = split(nanoseconds)
        let (date, time) = civil(seconds)
        let digits = nanosecondDigits ? pad(Int(fraction), 9) : pad(Int(fraction / 1000), 6)
        return "\(date)T\(time).\(digits)Z"
    }

    /// `YYYY-MM-DD` and `HH:MM:SS` of a Unix time.
    public static func civil(_ seconds: Int64) -> (date: String, time: String) {
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
        let date = "\(pad(Int(year), 4))-\(pad(Int(month), 2))-\(pad(Int(day), 2))"
        let time = "\(pad(Int(secondOfDay / 3600), 2)):\(pad(Int(secondOfDay / 60 % 60), 2)):\(pad(Int(secondOfDay % 60), 2))"
        return (date, time)
    }

    /// Seconds with six (or nine) decimals, e.g. `1.250000`.
    public static func seconds(_ nanoseconds: Int64, nanosecondDigits: Bool) -> String {
        let (whole, fraction) = split(nanoseconds)
        let digits = nanosecondDigits ? pad(Int(fraction), 9) : pad(Int(fraction / 1000), 6)
        return "\(whole).\(digits)"
    }

    static func split(_ nanoseconds: Int64) -> (Int64, Int64) {
        var seconds = nanoseconds / 1_000_000_000
        var fraction = nanoseconds % 1_000_000_000
        if fraction < 0 { fraction += 1_000_000_000; seconds -= 1 }
        return (seconds, fraction)
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}

import LogInput

/// Times as `case query --from/--to` take them: RFC 3339 (`2024-03-01T12:00:00Z`),
/// a UTC day (`2024-03-01`: its first nanosecond, or with `endOfDay` its last), or
/// seconds since the epoch.
public enum CaseTime {
    public static func parse(_ text: String, endOfDay: Bool = false) -> Int64? {
        let bytes = Array(text.utf8)
        if bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") {
            guard let start = LogTime.parseISO(text + "T00:00:00Z") else { return nil }
            return endOfDay ? start + 86_400_000_000_000 - 1 : start
        }
        return LogTime.parse(text)
    }
}

import Foundation
@testable import Reports
import TestSupport
import Testing

/// RFC 3339 UTC times from nanoseconds since the epoch (`TimeFormat`): six or nine
/// fractional digits, truncated (a time never moves into the next microsecond),
/// proleptic Gregorian calendar over the whole Int64 range.
struct TimeFormatTests {
    @Test func microAndNanosecondDigits() {
        #expect(TimeFormat.rfc3339(0, nanosecondDigits: false) == "1970-01-01T00:00:00.000000Z")
        #expect(TimeFormat.rfc3339(0, nanosecondDigits: true) == "1970-01-01T00:00:00.000000000Z")
        let time: Int64 = 1_700_000_106_123_456_789
        #expect(TimeFormat.rfc3339(time, nanosecondDigits: false) == "2023-11-14T22:15:06.123456Z")
        #expect(TimeFormat.rfc3339(time, nanosecondDigits: true) == "2023-11-14T22:15:06.123456789Z")
        // Truncated, not rounded.
        #expect(TimeFormat.rfc3339(1_999_999_999, nanosecondDigits: false) == "1970-01-01T00:00:01.999999Z")
        #expect(TimeFormat.rfc3339(1_000_000_001, nanosecondDigits: true) == "1970-01-01T00:00:01.000000001Z")
        #expect(TimeFormat.rfc3339(1_000, nanosecondDigits: false) == "1970-01-01T00:00:00.000001Z")
        #expect(TimeFormat.rfc3339(999, nanosecondDigits: false) == "1970-01-01T00:00:00.000000Z")
    }

    @Test func beforeTheEpoch() {
        #expect(TimeFormat.rfc3339(-1, nanosecondDigits: true) == "1969-12-31T23:59:59.999999999Z")
        #expect(TimeFormat.rfc3339(-1, nanosecondDigits: false) == "1969-12-31T23:59:59.999999Z")
        #expect(TimeFormat.rfc3339(-1_000_000_000, nanosecondDigits: false) == "1969-12-31T23:59:59.000000Z")
        #expect(TimeFormat.rfc3339(-1_500_000_000, nanosecondDigits: true) == "1969-12-31T23:59:58.500000000Z")
        #expect(TimeFormat.rfc3339(-86_400_000_000_000, nanosecondDigits: false) == "1969-12-31T00:00:00.000000Z")
        #expect(TimeFormat.rfc3339(-2_203_891_200 * 1_000_000_000, nanosecondDigits: false) == "1900-03-01T00:00:00.000000Z")
    }

    @Test func leapYears() {
        func at(_ seconds: Int64) -> String { TimeFormat.rfc3339(seconds * 1_000_000_000, nanosecondDigits: false) }
        #expect(at(951_825_600) == "2000-02-29T12:00:00.000000Z")  // divisible by 400: leap
        #expect(at(951_868_800) == "2000-03-01T00:00:00.000000Z")
        #expect(at(1_709_251_199) == "2024-02-29T23:59:59.000000Z")
        #expect(at(1_709_251_200) == "2024-03-01T00:00:00.000000Z")
        #expect(at(1_677_628_799) == "2023-02-28T23:59:59.000000Z")
        #expect(at(1_677_628_800) == "2023-03-01T00:00:00.000000Z")  // not a leap year
        #expect(at(-2_203_977_600) == "1900-02-28T00:00:00.000000Z")  // divisible by 100: not leap
        #expect(at(-2_203_891_200) == "1900-03-01T00:00:00.000000Z")
        #expect(at(4_107_542_399) == "2100-02-28T23:59:59.000000Z")
        #expect(at(4_107_542_400) == "2100-03-01T00:00:00.000000Z")
        #expect(at(1_735_689_599) == "2024-12-31T23:59:59.000000Z")  // day 366
        #expect(at(1_735_689_600) == "2025-01-01T00:00:00.000000Z")
    }

    @Test func endsOfTheInt64Range() {
        #expect(TimeFormat.rfc3339(Int64.max, nanosecondDigits: true) == "2262-04-11T23:47:16.854775807Z")
        #expect(TimeFormat.rfc3339(Int64.min, nanosecondDigits: true) == "1677-09-21T00:12:43.145224192Z")
        #expect(TimeFormat.rfc3339(Int64.min, nanosecondDigits: false) == "1677-09-21T00:12:43.145224Z")
    }

    /// Whole seconds (`civil`, used by the table) reach far beyond nanoseconds' range.
    @Test func farDatesInSeconds() {
        #expect(TimeFormat.civil(253_402_300_799) == ("9999-12-31", "23:59:59"))
        #expect(TimeFormat.civil(-11_670_998_400) == ("1600-02-29", "00:00:00"))
        #expect(TimeFormat.civil(-62_135_596_800) == ("0001-01-01", "00:00:00"))
        #expect(TimeFormat.civil(-62_135_596_801) == ("0000-12-31", "23:59:59"))
        #expect(TimeFormat.civil(0) == ("1970-01-01", "00:00:00"))
        #expect(TimeFormat.civil(-1) == ("1969-12-31", "23:59:59"))
    }

    /// Agrees with Foundation's Gregorian calendar on random times across the range.
    @Test func agreesWithFoundation() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var random = SplitMix64(seed: 0x3339)
        for _ in 0..<2000 {
            let seconds = Int64.random(in: -9_000_000_000...9_000_000_000, using: &random)
            let fraction = Int64.random(in: 0..<1_000_000_000, using: &random)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            func pad(_ n: Int?, _ width: Int) -> String {
                let digits = String(n ?? -1)
                return String(repeating: "0", count: max(0, width - digits.count)) + digits
            }
            let expected = "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))T\(pad(c.hour, 2)):\(pad(c.minute, 2)):\(pad(c.second, 2))."
                + pad(Int(fraction), 9) + "Z"
            #expect(TimeFormat.rfc3339(seconds * 1_000_000_000 + fraction, nanosecondDigits: true) == expected)
        }
    }

    @Test func durations() {
        #expect(TimeFormat.seconds(0, nanosecondDigits: false) == "0.000000")
        #expect(TimeFormat.seconds(1_250_000_000, nanosecondDigits: false) == "1.250000")
        #expect(TimeFormat.seconds(1_250_000_000, nanosecondDigits: true) == "1.250000000")
        #expect(TimeFormat.seconds(1_000_011, nanosecondDigits: true) == "0.001000011")
        #expect(TimeFormat.seconds(1_000_011, nanosecondDigits: false) == "0.001000")
        #expect(TimeFormat.seconds(86_400_000_000_000, nanosecondDigits: false) == "86400.000000")
        #expect(TimeFormat.seconds(-2_000_000_000, nanosecondDigits: false) == "-2.000000")
    }

    /// A negative duration with a fraction. Flows never have one (`lastSeen` only
    /// grows), but `TimeFormat.seconds` is public and writes a sign for negative input.
    /// The sign belongs to the whole value (an earlier version printed floor and
    /// remainder: "-1.500000" for -0.5 s).
    @Test func negativeDurationsWithAFraction() {
        #expect(TimeFormat.seconds(-500_000_000, nanosecondDigits: false) == "-0.500000")
        #expect(TimeFormat.seconds(-1_250_000_000, nanosecondDigits: true) == "-1.250000000")
    }
}

import CivilTime
import Foundation

/// RFC 3339 timestamps as the API exchanges them: `2026-11-29T11:21:38.123Z` out,
/// any offset and 0 to 9 fractional digits in, years 1 to 9999.
///
/// A DBA can store what RFC 3339 cannot write; those values are shown, not refused:
/// `infinity` and `-infinity` as those words (PostgreSQL's spelling), and years past 9999
/// or before 1 in ISO 8601's expanded form, with a sign and astronomical year numbering
/// (`+10000-01-01T00:00:00.000Z`, `-0043-03-15T12:00:00.000Z` for 44 BC).
public enum RFC3339 {
    /// UTC with milliseconds.
    public static func format(_ date: Date) -> String {
        // To the microsecond first (what PostgreSQL keeps), then down to the millisecond:
        // truncating the Double directly turns 1.001 s (1000.9999… ms) into 1.000.
        // Beyond PostgreSQL's range (a Double's rounding at the extremes), its ends.
        let interval = date.timeIntervalSince1970
        guard let (seconds, micros) = PostgresRange.split(interval) else { return interval < 0 ? "-infinity" : "infinity" }
        let t = CivilTime(seconds: seconds, fraction: micros / 1000)
        let pad = CivilTime.pad
        let year = (1...9999).contains(t.year) ? pad(t.year, 4) : (t.year < 0 ? "-" : "+") + pad(abs(t.year), 4)
        return "\(year)-\(pad(t.month, 2))-\(pad(t.day, 2))T"
            + "\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.fraction, 3))Z"
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `nil` when the text is not that.
    public static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard (48...57).contains(byte) else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += count
            return value
        }
        func take(_ allowed: Set<UInt8>) -> UInt8? {
            guard index < bytes.count, allowed.contains(bytes[index]) else { return nil }
            index += 1
            return bytes[index - 1]
        }
        let dash: Set<UInt8> = [45]
        let colon: Set<UInt8> = [58]
        guard let year = digits(4), take(dash) != nil, let month = digits(2), take(dash) != nil,
            let day = digits(2), take([84, 116]) != nil, let hour = digits(2), take(colon) != nil,
            let minute = digits(2), take(colon) != nil, let second = digits(2)
        else { return nil }
        var nanoseconds: Int64 = 0
        if take([46]) != nil {
            var count = 0
            while index < bytes.count, (48...57).contains(bytes[index]) {
                guard count < 9 else { return nil }
                nanoseconds = nanoseconds * 10 + Int64(bytes[index] - 48)
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<9 { nanoseconds *= 10 }
        }
        var offset: Int64 = 0
        if take([90, 122]) == nil {
            guard let sign = take([43, 45]), let offsetHours = digits(2), take(colon) != nil,
                let offsetMinutes = digits(2), offsetHours < 24, offsetMinutes < 60
            else { return nil }
            offset = (offsetHours * 3600 + offsetMinutes * 60) * (sign == 45 ? -1 : 1)
        }
        guard index == bytes.count, (1...12).contains(month), (1...CivilDate.daysIn(month: month, year: year)).contains(day),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let seconds = CivilDate.days(year: year, month: month, day: day) * 86_400 + hour * 3600 + minute * 60 + second
            - offset
        // PostgreSQL's timestamptz and its text form: years 1 to 9999 in UTC, microseconds.
        let earliest = CivilDate.days(year: 1, month: 1, day: 1) * 86_400
        let end = CivilDate.days(year: 10_000, month: 1, day: 1) * 86_400
        let microseconds = (nanoseconds + 500) / 1000
        guard seconds >= earliest, seconds < end - 1 || (seconds == end - 1 && microseconds < 1_000_000) else {
            return nil
        }
        // Near year 9999 a Double is only 30 µs fine: the last instants would round into
        // year 10000, so they become the last Double before it.
        return Date(timeIntervalSince1970: min(Double(seconds) + Double(nanoseconds) / 1e9, Double(end).nextDown))
    }
}

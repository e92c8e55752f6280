import Foundation

/// RFC 3339 timestamps as the API exchanges them: `2026-11-29T11:21:38.123Z` out,
/// any offset and 0 to 9 fractional digits in.
public enum RFC3339 {
    /// UTC with milliseconds.
    public static func format(_ date: Date) -> String {
        let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = milliseconds / 1000
        var fraction = milliseconds % 1000
        if fraction < 0 {
            fraction += 1000
            seconds -= 1
        }
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        let (year, month, day) = CivilDate.from(days: days)
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T"
            + "\(pad(secondOfDay / 3600, 2)):\(pad(secondOfDay / 60 % 60, 2)):\(pad(secondOfDay % 60, 2))"
            + ".\(pad(fraction, 3))Z"
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
        return Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms).
enum CivilDate {
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        return era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
    }

    static func from(days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

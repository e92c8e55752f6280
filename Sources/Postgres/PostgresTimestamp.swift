import CivilTime
import Foundation

/// Text format of `timestamptz` values, in UTC with microseconds.
///
/// Every value PostgreSQL can hold has a `Date`: `infinity` and `-infinity` are the
/// infinite `Date`s (`timeIntervalSince1970` of ±`.infinity`), years past 9999 have more
/// digits and years before 1 are written `… BC` (year 1 BC is astronomical year 0).
enum PostgresTimestamp {
    /// `2026-11-29 11:21:38.123456+00`, `infinity`, `10000-01-01 00:00:00.000000+00`,
    /// `0044-03-15 12:00:00.000000+00 BC`.
    static func format(_ date: Date) -> String {
        let interval = date.timeIntervalSince1970
        guard let (seconds, micros) = PostgresRange.split(interval) else { return interval < 0 ? "-infinity" : "infinity" }
        let t = CivilTime(seconds: seconds, fraction: micros)
        let pad = CivilTime.pad
        let bc = t.year <= 0
        return "\(pad(bc ? 1 - t.year : t.year, 4))-\(pad(t.month, 2))-\(pad(t.day, 2)) "
            + "\(pad(t.hour, 2)):\(pad(t.minute, 2)):\(pad(t.second, 2)).\(pad(t.fraction, 6))+00\(bc ? " BC" : "")"
    }

    /// Parses `YYYY-MM-DD HH:MM:SS[.ffffff][+HH[:MM[:SS]]][ BC]` (ISO DateStyle; the year
    /// has four digits or more), `infinity` and `-infinity`; no offset means UTC.
    static func parse(_ text: String) -> Date? {
        switch text {
        case "infinity": return Date(timeIntervalSince1970: .infinity)
        case "-infinity": return Date(timeIntervalSince1970: -.infinity)
        default: break
        }
        var bytes = Array(text.utf8)
        let bc = bytes.count > 3 && Array(bytes.suffix(3)) == Array(" BC".utf8)
        if bc { bytes.removeLast(3) }
        var index = 0
        func number(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + count] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            index += count
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == character else { return false }
            index += 1
            return true
        }
        var yearDigits = 0
        while yearDigits < 7, yearDigits < bytes.count, (48...57).contains(bytes[yearDigits]) { yearDigits += 1 }
        guard yearDigits >= 4, var year = number(yearDigits) else { return nil }
        if bc { year = 1 - year }
        guard expect(45), let month = number(2), expect(45), let day = number(2),
            expect(32) || expect(84), let hour = number(2), expect(58), let minute = number(2), expect(58),
            let second = number(2)
        else { return nil }
        var micros: Int64 = 0
        if expect(46) {
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 6 { micros = micros * 10 + Int64(bytes[index] - 48) }
                digits += 1
                index += 1
            }
            guard digits > 0 else { return nil }
            if digits < 6 { for _ in digits..<6 { micros *= 10 } }
        }
        var offsetSeconds: Int64 = 0
        if index < bytes.count {
            if bytes[index] == 90 {  // "Z"
                index += 1
            } else {
                let sign: Int64
                if expect(43) { sign = 1 } else if expect(45) { sign = -1 } else { return nil }
                guard let offsetHours = number(2) else { return nil }
                var offset = offsetHours * 3600
                if expect(58) {
                    guard let offsetMinutes = number(2) else { return nil }
                    offset += offsetMinutes * 60
                    if expect(58) {
                        guard let offsetSecondsPart = number(2) else { return nil }
                        offset += offsetSecondsPart
                    }
                }
                offsetSeconds = sign * offset
            }
        }
        guard index == bytes.count, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
        return Date(timeIntervalSince1970: Double(seconds) + Double(micros) / 1_000_000)
    }
}

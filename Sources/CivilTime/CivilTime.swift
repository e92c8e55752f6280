/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's algorithms), shared by the
/// two timestamp texts the daemon reads and writes: RFC 3339 in the API, and
/// PostgreSQL's `timestamptz` text on the wire. No Foundation calendar: these run for
/// every timestamp of every row and answer.
public enum CivilDate {
    /// Days since 1970-01-01 of a date.
    public static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        return era * 146_097 + yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear - 719_468
    }

    /// The date `days` after 1970-01-01.
    public static func from(days: Int64) -> (year: Int64, month: Int64, day: Int64) {
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

    public static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// The instants PostgreSQL's `timestamptz` holds: from 4714-11-24 00:00:00 BC to
/// 294276-12-31 23:59:59.999999 UTC.
///
/// A `Date` is a `Double` of seconds: past the year 2255 it no longer holds every
/// microsecond, and one of these extremes read into a `Date` comes back a few
/// microseconds beyond it. Clamping to the range gives the value PostgreSQL had.
public enum PostgresRange {
    /// Seconds since 1970-01-01T00:00:00Z of the first instant.
    public static let earliest = CivilDate.days(year: -4713, month: 11, day: 24) * 86_400
    /// Seconds since 1970-01-01T00:00:00Z of the last whole second (its last microsecond
    /// is 999,999).
    public static let latest = CivilDate.days(year: 294_276, month: 12, day: 31) * 86_400 + 86_399

    /// `interval` seconds since 1970 as whole seconds and microseconds (0 to 999,999),
    /// within the range; `nil` for infinities and NaN.
    public static func split(_ interval: Double) -> (seconds: Int64, microseconds: Int64)? {
        guard interval.isFinite else { return nil }
        if interval <= Double(earliest) { return (earliest, 0) }
        if interval >= Double(latest + 1) { return (latest, 999_999) }
        var seconds = interval.rounded(.down)
        var micros = ((interval - seconds) * 1_000_000).rounded()
        if micros >= 1_000_000 {
            seconds += 1
            micros = 0
        }
        if Int64(seconds) > latest { return (latest, 999_999) }
        return (Int64(seconds), Int64(micros))
    }
}

/// A UTC instant split into its calendar fields, for printing.
public struct CivilTime: Sendable, Equatable {
    public var year: Int64
    public var month: Int64
    public var day: Int64
    public var hour: Int64
    public var minute: Int64
    public var second: Int64
    /// The part of the next second, in the caller's unit (milliseconds, microseconds).
    public var fraction: Int64

    /// - Parameters:
    ///   - seconds: whole seconds since 1970-01-01T00:00:00Z (before 1970 too).
    ///   - fraction: the part of the next second, in whatever unit the caller prints.
    public init(seconds: Int64, fraction: Int64) {
        var days = seconds / 86_400
        var secondOfDay = seconds % 86_400
        if secondOfDay < 0 {
            secondOfDay += 86_400
            days -= 1
        }
        (year, month, day) = CivilDate.from(days: days)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
        self.fraction = fraction
    }

    /// `value` in decimal, zero-padded on the left to `width` digits.
    public static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

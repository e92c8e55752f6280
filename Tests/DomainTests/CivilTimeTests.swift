import CivilTime
import Domain
import Foundation
import Testing

@Suite struct CivilTimeTests {
    static var utc: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    /// Days from 1583 to 9999 in steps, both ways, against Foundation's Gregorian calendar
    /// (which is Julian before October 1582; PostgreSQL's and ours are proleptic Gregorian).
    @Test func daysAgreeWithTheGregorianCalendar() throws {
        let calendar = Self.utc
        let first = CivilDate.days(year: 1583, month: 1, day: 1)
        let last = CivilDate.days(year: 9999, month: 12, day: 31)
        var days = first
        while days <= last {
            let date = Date(timeIntervalSince1970: Double(days) * 86_400)
            let expected = calendar.dateComponents([.year, .month, .day], from: date)
            let civil = CivilDate.from(days: days)
            #expect(civil.year == Int64(expected.year ?? 0) && civil.month == Int64(expected.month ?? 0)
                && civil.day == Int64(expected.day ?? 0), "\(days)")
            #expect(CivilDate.days(year: civil.year, month: civil.month, day: civil.day) == days)
            days += 997  // a prime step: every month and weekday get visited
        }
        // Year 1, proleptic: 719,162 days before 1970 (as PostgreSQL counts them).
        #expect(CivilDate.days(year: 1, month: 1, day: 1) == -719_162)
        #expect(CivilDate.from(days: -719_162) == (1, 1, 1))
        #expect(CivilDate.daysIn(month: 2, year: 2000) == 29)
        #expect(CivilDate.daysIn(month: 2, year: 1900) == 28)
        #expect(CivilDate.daysIn(month: 2, year: 2028) == 29)
        #expect(CivilDate.daysIn(month: 4, year: 2026) == 30)
    }

    @Test func instantsSplitIntoFieldsBeforeAndAfter1970() {
        let before = CivilTime(seconds: -1, fraction: 999)  // 1969-12-31T23:59:59.999Z
        #expect([before.year, before.month, before.day, before.hour, before.minute, before.second, before.fraction]
            == [1969, 12, 31, 23, 59, 59, 999])
        let after = CivilTime(seconds: 1_795_000_898, fraction: 123_456)  // 2026-11-18T11:21:38.123456Z
        #expect([after.year, after.month, after.day, after.hour, after.minute, after.second, after.fraction]
            == [2026, 11, 18, 11, 21, 38, 123_456])
        #expect(RFC3339.format(Date(timeIntervalSince1970: -0.001)) == "1969-12-31T23:59:59.999Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        // Milliseconds whose Double is a hair below them stay themselves.
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1.001)) == "1970-01-01T00:00:01.001Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_000_898.123)) == "2026-11-18T11:21:38.123Z")
        #expect(RFC3339.format(Date(timeIntervalSince1970: 1_795_000_898.1239)) == "2026-11-18T11:21:38.123Z")
        #expect(CivilTime.pad(7, 3) == "007")
        #expect(CivilTime.pad(12345, 3) == "12345")
    }
}

/// A calendar date without a time or zone (a date of birth), proleptic Gregorian.
///
/// Day arithmetic is Howard Hinnant's `days_from_civil`, exact for any year, so no
/// `Calendar` is needed on the ingest path.
package struct CivilDate: Sendable, Hashable, CustomStringConvertible {
    package var year: Int
    package var month: Int
    package var day: Int

    /// A valid date, or nil (`2023-02-29`, month 13, year outside 1…9999).
    package init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= CivilDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date `days` days after 1970-01-01 (negative before).
    package init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// Days from 1970-01-01 to this date.
    package var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    package static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `YYYY-MM-DD`.
    package var description: String {
        var out = [UInt8]()
        out.reserveCapacity(10)
        CivilDate.append(year, width: 4, to: &out)
        out.append(UInt8(ascii: "-"))
        CivilDate.append(month, width: 2, to: &out)
        out.append(UInt8(ascii: "-"))
        CivilDate.append(day, width: 2, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends `value` zero-padded to `width` ASCII digits.
    package static func append(_ value: Int, width: Int, to out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<max(width, 1) { divisor *= 10 }
        var v = value % (divisor * 10)
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(v / divisor))
            v %= divisor
            divisor /= 10
        }
    }

    /// A date of birth as vendors write it: `YYYY-MM-DD`, `YYYY/MM/DD`, `MM/DD/YYYY`,
    /// `MM-DD-YYYY`, `MM.DD.YYYY` (one- or two-digit month and day), or an ISO timestamp
    /// whose date part is taken. Two-digit years are refused: the century is a guess.
    package init?(loose text: String) {
        var parts: [Int] = []
        var widths: [Int] = []
        var separator: UInt8 = 0
        var current = 0
        var width = 0
        for b in text.utf8 {
            if b >= 48 && b <= 57 {
                guard width < 4 else { return nil }
                current = current * 10 + Int(b - 48)
                width += 1
                continue
            }
            // An ISO timestamp: keep the date before the `T` or the space.
            if parts.count == 2, widths[0] == 4, b == UInt8(ascii: "T") || b == UInt8(ascii: " ") { break }
            guard b == UInt8(ascii: "-") || b == UInt8(ascii: "/") || b == UInt8(ascii: "."), width > 0,
                separator == 0 || separator == b, parts.count < 2
            else { return nil }
            separator = b
            parts.append(current)
            widths.append(width)
            current = 0
            width = 0
        }
        guard width > 0 else { return nil }
        parts.append(current)
        widths.append(width)
        guard parts.count == 3 else { return nil }
        if widths[0] == 4, widths[1] <= 2, widths[2] <= 2 {
            self.init(year: parts[0], month: parts[1], day: parts[2])
        } else if widths[2] == 4, widths[0] <= 2, widths[1] <= 2 {
            self.init(year: parts[2], month: parts[0], day: parts[1])
        } else {
            return nil
        }
    }
}

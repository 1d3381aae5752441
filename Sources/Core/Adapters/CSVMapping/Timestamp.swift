package import Foundation

/// ISO 8601 / RFC 3339 timestamps read and written by hand: no `DateFormatter` per row.
package enum Timestamp {
    /// `YYYY-MM-DD[(T|space)HH:MM[:SS[.fraction]]][Z|±HH[:MM]|±HHMM]`.
    ///
    /// A time without an offset is a wall-clock time in `zone`; a date alone is its
    /// midnight there. Nil when the text is not such a timestamp or names an
    /// impossible date or time.
    package static func parse(_ text: String, zone: ZoneOffsets) -> Date? {
        var scanner = ByteScanner(text)
        guard let year = scanner.digits(4), scanner.eat(UInt8(ascii: "-")),
            let month = scanner.digits(2), scanner.eat(UInt8(ascii: "-")),
            let day = scanner.digits(2), let date = CivilDate(year: year, month: month, day: day)
        else { return nil }
        var seconds = 0
        var fraction = 0.0
        if scanner.eat(UInt8(ascii: "T")) || scanner.eat(UInt8(ascii: "t")) || scanner.eat(UInt8(ascii: " ")) {
            guard let hour = scanner.digits(2), hour < 24, scanner.eat(UInt8(ascii: ":")),
                let minute = scanner.digits(2), minute < 60
            else { return nil }
            seconds = hour * 3600 + minute * 60
            if scanner.eat(UInt8(ascii: ":")) {
                guard let second = scanner.digits(2), second < 61 else { return nil }
                seconds += min(second, 59)
                if scanner.eat(UInt8(ascii: ".")) || scanner.eat(UInt8(ascii: ",")) {
                    guard let f = scanner.fraction() else { return nil }
                    fraction = f
                }
            }
        }
        let local = Int64(date.daysSinceEpoch) * 86_400 + Int64(seconds)
        let utc: Int64
        if scanner.atEnd {
            utc = zone.utcSeconds(fromLocal: local)
        } else if scanner.eat(UInt8(ascii: "Z")) || scanner.eat(UInt8(ascii: "z")) {
            utc = local
        } else if let sign = scanner.sign() {
            guard let oh = scanner.digits(2), oh < 24 else { return nil }
            _ = scanner.eat(UInt8(ascii: ":"))
            let om = scanner.atEnd ? 0 : scanner.digits(2)
            guard let om, om < 60 else { return nil }
            utc = local - Int64(sign * (oh * 3600 + om * 60))
        } else {
            return nil
        }
        guard scanner.atEnd else { return nil }
        return Date(timeIntervalSince1970: Double(utc) + fraction)
    }

    /// RFC 3339 in UTC: `2025-05-01T14:03:22Z`, with `.mmm` when there are milliseconds.
    package static func format(_ date: Date) -> String {
        let t = date.timeIntervalSince1970
        let whole = Int64(t.rounded(.down))
        let millis = Int(((t - Double(whole)) * 1000).rounded())
        let (secs, ms) = millis == 1000 ? (whole + 1, 0) : (whole, millis)
        let days = Int(secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400)
        let rest = Int(secs - Int64(days) * 86_400)
        var out = Array(CivilDate(daysSinceEpoch: days).description.utf8)
        out.append(UInt8(ascii: "T"))
        CivilDate.append(rest / 3600, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        CivilDate.append(rest / 60 % 60, width: 2, to: &out)
        out.append(UInt8(ascii: ":"))
        CivilDate.append(rest % 60, width: 2, to: &out)
        if ms != 0 {
            out.append(UInt8(ascii: "."))
            CivilDate.append(ms, width: 3, to: &out)
        }
        out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }
}

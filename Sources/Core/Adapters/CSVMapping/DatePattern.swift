/// A fixed date format such as `MM-DD-YYYY HH:mm:ss`, compiled once from `vendors.yaml`.
///
/// Tokens: `YYYY` year, `MM` month, `DD` day, `HH` hour 0–23, `hh` hour 1–12 with `A`
/// (`AM`/`PM`, any case), `mm` minutes, `ss` seconds, `SSS` fraction of a second.
/// `MM`, `DD`, `HH`, `hh`, `mm` and `ss` accept one or two digits. A space matches one
/// or more spaces or tabs; any other character matches itself.
///
/// ```swift
/// let p = try DatePattern("MM-DD-YYYY HH:mm:ss")
/// p.parse("05-03-2025 14:07:09")   // (2025-05-03, 50829 s, 0)
/// ```
package struct DatePattern: Sendable, Hashable, CustomStringConvertible {
    private enum Piece: Hashable {
        case literal(UInt8)
        case blank, year, month, day, hour, hour12, minute, second, fraction, meridiem
    }

    /// Why a format was refused, one sentence for a ``ConfigError``.
    package struct Problem: Error {
        package var message: String
    }

    /// One value read with a pattern: its date, and the seconds into that day when the
    /// pattern has a time.
    package struct Reading: Sendable, Hashable {
        package var date: CivilDate
        package var secondsOfDay: Int
        package var fraction: Double
    }

    private static let tokens: [(String, Piece)] = [
        ("YYYY", .year), ("SSS", .fraction), ("MM", .month), ("DD", .day), ("HH", .hour),
        ("hh", .hour12), ("mm", .minute), ("ss", .second), ("A", .meridiem),
    ]
    private static let tokenLetters = Set("YMDHhmsSA")

    private let pieces: [Piece]
    /// The format as written.
    package let description: String
    /// Whether the format has a time of day (then values are instants, not dates).
    package let hasTime: Bool

    package init(_ format: String) throws(Problem) {
        var pieces: [Piece] = []
        var rest = Substring(format)
        outer: while let c = rest.first {
            for (token, piece) in Self.tokens where rest.hasPrefix(token) {
                pieces.append(piece)
                rest = rest.dropFirst(token.count)
                continue outer
            }
            if Self.tokenLetters.contains(c) {
                let run = rest.prefix { $0 == c }
                throw Problem(
                    message:
                        "unsupported token '\(run)' in date format '\(format)' (use YYYY, MM, DD, HH, hh, mm, ss, SSS, A)"
                )
            }
            if c == " " {
                pieces.append(.blank)
            } else {
                pieces.append(contentsOf: String(c).utf8.map { Piece.literal($0) })
            }
            rest = rest.dropFirst()
        }
        func count(_ p: Piece) -> Int { pieces.filter { $0 == p }.count }
        for (p, name) in [(Piece.year, "YYYY"), (.month, "MM"), (.day, "DD")] where count(p) != 1 {
            throw Problem(message: "date format '\(format)' needs \(name) exactly once")
        }
        for (p, name) in [
            (Piece.hour, "HH"), (.hour12, "hh"), (.minute, "mm"), (.second, "ss"), (.fraction, "SSS"), (.meridiem, "A"),
        ]
        where count(p) > 1 {
            throw Problem(message: "date format '\(format)' has \(name) more than once")
        }
        let hours = count(.hour) + count(.hour12)
        guard hours <= 1 else { throw Problem(message: "date format '\(format)' has both HH and hh") }
        guard count(.hour12) == count(.meridiem) else {
            throw Problem(message: "date format '\(format)' needs hh and A together (or HH for a 24-hour clock)")
        }
        guard count(.minute) <= hours, count(.second) <= count(.minute), count(.fraction) <= count(.second) else {
            throw Problem(message: "date format '\(format)' has minutes or seconds without the larger units")
        }
        self.pieces = pieces
        self.description = format
        self.hasTime = hours == 1
    }

    /// Reads `text` (already trimmed); nil when it does not match or names an impossible
    /// date or time.
    package func parse(_ text: String) -> Reading? {
        var s = ByteScanner(text)
        var year = 0
        var month = 0
        var day = 0
        var hour = 0
        var minute = 0
        var second = 0
        var fraction = 0.0
        var pm: Bool?
        for piece in pieces {
            switch piece {
            case .literal(let b): guard s.eat(b) else { return nil }
            case .blank: guard s.skipBlanks() else { return nil }
            case .year:
                guard let v = s.digits(4) else { return nil }
                year = v
            case .month:
                guard let v = s.digits(min: 1, max: 2) else { return nil }
                month = v
            case .day:
                guard let v = s.digits(min: 1, max: 2) else { return nil }
                day = v
            case .hour:
                guard let v = s.digits(min: 1, max: 2), v < 24 else { return nil }
                hour = v
            case .hour12:
                guard let v = s.digits(min: 1, max: 2), (1...12).contains(v) else { return nil }
                hour = v % 12
            case .minute:
                guard let v = s.digits(min: 1, max: 2), v < 60 else { return nil }
                minute = v
            case .second:
                guard let v = s.digits(min: 1, max: 2), v < 61 else { return nil }
                second = min(v, 59)
            case .fraction:
                guard let v = s.fraction() else { return nil }
                fraction = v
            case .meridiem:
                switch s.next {
                case UInt8(ascii: "A"), UInt8(ascii: "a"): pm = false
                case UInt8(ascii: "P"), UInt8(ascii: "p"): pm = true
                default: return nil
                }
                _ = s.eat(s.next!)
                guard s.eat(UInt8(ascii: "M")) || s.eat(UInt8(ascii: "m")) else { return nil }
            }
        }
        guard s.atEnd, let date = CivilDate(year: year, month: month, day: day) else { return nil }
        if pm == true { hour += 12 }
        return Reading(date: date, secondsOfDay: hour * 3600 + minute * 60 + second, fraction: fraction)
    }
}

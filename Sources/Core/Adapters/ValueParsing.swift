package import Foundation

/// Lenient, allocation-light readers for the values vendors send, shared by every adapter.
///
/// Each reader takes text that is already trimmed (``VendorRecord/string(_:)`` trims) and
/// returns `nil` when the text is not a value of that kind; the adapter then keeps the
/// raw text in `fields` and records a warning. None of them uses a formatter, a regular
/// expression or a locale, so they are cheap enough for the import hot path and give
/// the same answer on every machine.
package enum ValueParsing {
    // MARK: Trimming

    /// `text` without surrounding whitespace. Most vendor values start and end with a
    /// visible ASCII character; those are returned at once without the Unicode property
    /// lookups a general trim needs, which dominate a row's cost otherwise.
    package static func trim(_ text: String) -> String {
        var text = text
        let clean = text.withUTF8 { b in
            guard let first = b.first, let last = b.last else { return true }
            return first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F
        }
        return clean ? text : text.trimmingWhitespace()
    }

    // MARK: Booleans

    /// `true/false/yes/no/y/n/1/0/t/f/on/off`, any case.
    package static func boolean(_ text: String) -> Bool? {
        guard text.utf8.count <= 5 else { return nil }
        switch text.lowercased() {
        case "true", "yes", "y", "1", "t", "on": return true
        case "false", "no", "n", "0", "f", "off": return false
        default: return nil
        }
    }

    // MARK: Numbers

    /// A decimal number with an optional sign, `$` and thousands commas (`1,234.50`).
    /// Commas must group by three, so the European `13,5` is refused rather than misread.
    package static func decimal(_ text: String) -> Decimal? {
        guard let n = scanNumber(text) else { return nil }
        if let mantissa = n.mantissa {
            return Decimal(sign: n.negative ? .minus : .plus, exponent: -n.scale, significand: Decimal(mantissa))
        }
        return Decimal(string: n.plain, locale: posix)
    }

    /// Made once: `Decimal(string:locale:)` took 1.4 µs with a new locale each call and
    /// 0.8 µs with this one.
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// A whole number; `45.0` is 45, `45.5` is not a whole number.
    package static func integer(_ text: String) -> Int? {
        guard let n = scanNumber(text), let mantissa = n.mantissa else { return nil }
        let scale = power10[n.scale]
        guard mantissa % scale == 0, mantissa / scale <= UInt64(Int.max) else { return nil }
        let v = Int(mantissa / scale)
        return n.negative ? -v : v
    }

    /// A number for `fields` (sizes, weights, incomes), same spellings as ``decimal(_:)``.
    package static func number(_ text: String) -> Double? {
        guard let n = scanNumber(text) else { return nil }
        // Both operands are exact below 2^53 and 10^18, and IEEE division rounds
        // correctly, so this equals `Double("13.5")` without parsing twice.
        if let m = n.mantissa, m < 1 << 53 {
            let v = Double(m) / Double(power10[n.scale])
            return n.negative ? -v : v
        }
        return Double(n.plain)
    }

    /// A number spelled `[-+][$]digits[,ddd…][.digits]`; `mantissa` is nil past 18 digits.
    private struct ScannedNumber {
        var negative: Bool
        var mantissa: UInt64?
        var scale: Int
        /// The text, for the slow path past 18 digits.
        var text: String

        /// The number without `$` and commas, for `Decimal(string:)` and `Double(_:)`.
        var plain: String { String(text.filter { $0 != "$" && $0 != "," }).replacingOccurrences(of: "+", with: "") }
    }

    private static let power10: [UInt64] = (0...18).map { (0..<$0).reduce(UInt64(1)) { r, _ in r * 10 } }

    private static func scanNumber(_ text: String) -> ScannedNumber? {
        var negative = false
        var mantissa: UInt64 = 0
        var digits = 0
        var scale = 0
        var sawDot = false
        var sawComma = false
        var sawDollar = false
        var sawSign = false
        var group = 0  // digits since the last comma (integer part only)
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(b - 48) }
                digits += 1
                if sawDot { scale += 1 } else { group += 1 }
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard !sawSign, digits == 0, !sawDot else { return nil }
                sawSign = true
                negative = b == UInt8(ascii: "-")
            case UInt8(ascii: "$"):
                guard !sawDollar, digits == 0, !sawDot else { return nil }
                sawDollar = true
            case UInt8(ascii: ","):
                guard !sawDot, group >= 1, group <= 3, !(sawComma && group != 3) else { return nil }
                sawComma = true
                group = 0
            case UInt8(ascii: "."):
                guard !sawDot, !(sawComma && group != 3) else { return nil }
                sawDot = true
            default:
                return nil
            }
        }
        guard digits > 0, !(sawComma && !sawDot && group != 3) else { return nil }
        return ScannedNumber(negative: negative, mantissa: digits <= 18 ? mantissa : nil, scale: scale, text: text)
    }

    // MARK: Text

    /// Only the digits of `text` (`(555) 123-4567` → `5551234567`).
    package static func digits(_ text: String) -> String {
        String(decoding: text.utf8.filter { $0 >= 48 && $0 <= 57 }, as: UTF8.self)
    }

    /// Phone clean-up before the core's E.164 check: digits, keeping a leading `+`.
    /// Text without any digit is returned unchanged so the core can report it.
    package static func phone(_ text: String) -> String {
        let d = digits(text)
        if d.isEmpty { return text }
        return text.utf8.first == UInt8(ascii: "+") ? "+" + d : d
    }

    /// Words capitalised after any non-letter: `o'brien-SMITH` → `O'Brien-Smith`.
    package static func titleCase(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var atWordStart = true
        for ch in text {
            if ch.isLetter {
                out += atWordStart ? ch.uppercased() : ch.lowercased()
                atWordStart = false
            } else {
                out.append(ch)
                atWordStart = true
            }
        }
        return out
    }

    /// `Male` or `Female` from `m/male/man/f/female/woman`, any case; nil otherwise.
    package static func gender(_ text: String) -> String? {
        switch text.lowercased() {
        case "m", "male", "man": return "Male"
        case "f", "female", "woman": return "Female"
        default: return nil
        }
    }

    // MARK: Lists

    /// A list of names from a JSON array literal (`["asthma","copd"]`, `[]`) or comma text
    /// (`asthma, copd`). Items are trimmed; blank items dropped. Nil for a malformed literal.
    package static func list(_ text: String) -> [String]? {
        if text.utf8.first == UInt8(ascii: "[") { return jsonStringArray(text) }
        return text.split(separator: ",").map { trim(String($0)) }.filter { !$0.isEmpty }
    }

    /// The same from a JSON value: an array of scalars, or text as in ``list(_:)``.
    package static func list(_ value: JSONValue) -> [String]? {
        switch value {
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard let t = item.text.map(trim) else {
                    if case .null = item { continue }
                    return nil
                }
                if !t.isEmpty { out.append(t) }
            }
            return out
        default:
            guard let t = value.text.map(trim) else { return nil }
            return list(t)
        }
    }

    /// A JSON array of strings (or bare numbers/booleans), with the usual escapes.
    private static func jsonStringArray(_ text: String) -> [String]? {
        let bytes = Array(text.utf8)
        var i = 1
        var out: [String] = []
        func skipSpace() {
            while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
        }
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { return i == bytes.count - 1 ? [] : nil }
        while i < bytes.count {
            skipSpace()
            guard i < bytes.count else { return nil }
            var item: [UInt8] = []
            if bytes[i] == UInt8(ascii: "\"") {
                i += 1
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
                    if bytes[i] == UInt8(ascii: "\\") {
                        i += 1
                        guard i < bytes.count else { return nil }
                        switch bytes[i] {
                        case UInt8(ascii: "n"): item.append(10)
                        case UInt8(ascii: "t"): item.append(9)
                        case UInt8(ascii: "u"):
                            guard i + 4 < bytes.count,
                                let code = UInt32(String(decoding: bytes[(i + 1)...(i + 4)], as: UTF8.self), radix: 16),
                                let scalar = Unicode.Scalar(code)
                            else { return nil }
                            item.append(contentsOf: Array(String(Character(scalar)).utf8))
                            i += 4
                        default: item.append(bytes[i])  // \" \\ \/ and the rest taken literally
                        }
                    } else {
                        item.append(bytes[i])
                    }
                    i += 1
                }
                guard i < bytes.count else { return nil }
                i += 1
            } else {
                while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: "]") {
                    item.append(bytes[i])
                    i += 1
                }
            }
            let t = trim(String(decoding: item, as: UTF8.self))
            if !t.isEmpty, t != "null" { out.append(t) }
            skipSpace()
            guard i < bytes.count else { return nil }
            if bytes[i] == UInt8(ascii: "]") { return i == bytes.count - 1 ? out : nil }
            guard bytes[i] == UInt8(ascii: ",") else { return nil }
            i += 1
        }
        return nil
    }

    // MARK: Body measures and durations

    /// A height as feet and inches, `5'10"`, from inches (`70`, `70 in`, `70.0`) or feet and
    /// inches (`5'10"`, `5' 10`, `5 ft 10 in`, `5'`). Between 2'0" and 8'11" only, so a
    /// formatted height read as digits (`510`) is refused rather than becoming `42'6"`.
    package static func height(_ text: String) -> String? {
        if let n = number(text) { return feetAndInches(n) }
        guard let t = tokens(text), case .number(let first)? = t.first else { return nil }
        let inches: Double
        switch t.count {
        case 1:
            inches = first
        case 2 where t[1].isInchMark:
            inches = first
        case 2...5 where t[1].isFootMark:
            guard first == first.rounded() else { return nil }
            var rest = 0.0
            if t.count > 2 {
                guard case .number(let n) = t[2], n < 12 else { return nil }
                rest = n
                let tail = t[3...]
                let closed =
                    tail.isEmpty || (tail.count == 1 && tail.first!.isInchMark)
                    || (tail.count == 2 && tail.allSatisfy(\.isFootMark))
                guard closed else { return nil }
            }
            inches = first * 12 + rest
        default:
            return nil
        }
        return feetAndInches(inches)
    }

    private static func feetAndInches(_ inches: Double) -> String? {
        let rounded = inches.rounded()
        guard rounded >= 24, rounded <= 107 else { return nil }
        let total = Int(rounded)
        return "\(total / 12)'\(total % 12)\""
    }

    /// Call duration in whole seconds from `65`, `65.0`, `1:05`, `1:02:03`, `1m 05s`,
    /// `1m`, `45s`, `1h 2m`, `2 min 5 sec`.
    package static func durationSeconds(_ text: String) -> Int? {
        if let n = integer(text) { return n >= 0 ? n : nil }
        if text.utf8.contains(UInt8(ascii: ":")) {
            let parts = text.utf8.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3 else { return nil }
            var total = 0
            for (i, p) in parts.enumerated() {
                guard !p.isEmpty, p.count <= 9, p.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                let v = p.reduce(0) { $0 * 10 + Int($1 - 48) }
                guard i == 0 || (p.count == 2 && v < 60) else { return nil }
                total = total * 60 + v
            }
            return total
        }
        guard let t = tokens(text), !t.isEmpty, t.count % 2 == 0 else { return nil }
        var total = 0
        for i in stride(from: 0, to: t.count, by: 2) {
            guard case .number(let n) = t[i], n == n.rounded(), n < 1e9, case .word(let unit) = t[i + 1] else {
                return nil
            }
            switch unit {
            case "h", "hr", "hrs", "hour", "hours": total += Int(n) * 3600
            case "m", "min", "mins", "minute", "minutes": total += Int(n) * 60
            case "s", "sec", "secs", "second", "seconds": total += Int(n)
            default: return nil
            }
        }
        return total
    }

    /// A piece of a measure: `5`, `ft`, `'`.
    private enum Token {
        case number(Double)
        /// A run of ASCII letters, lower-cased.
        case word(String)
        case symbol(Unicode.Scalar)

        var isFootMark: Bool {
            switch self {
            case .word(let w): return w == "ft" || w == "foot" || w == "feet"
            case .symbol(let s): return s == "'" || s == "\u{2019}" || s == "\u{2032}"
            case .number: return false
            }
        }

        var isInchMark: Bool {
            switch self {
            case .word(let w): return w == "in" || w == "inch" || w == "inches"
            case .symbol(let s): return s == "\"" || s == "\u{201D}" || s == "\u{2033}"
            case .number: return false
            }
        }
    }

    /// Numbers, letter runs and symbols of `text`, blanks skipped; nil for a malformed
    /// number or a character no measure uses.
    private static func tokens(_ text: String) -> [Token]? {
        var out: [Token] = []
        let b = Array(text.utf8)
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x20, 0x09:
                i += 1
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."):
                var whole = 0.0
                var scale = 1.0
                var dots = 0
                while i < b.count, (b[i] >= 48 && b[i] <= 57) || b[i] == UInt8(ascii: ".") {
                    if b[i] == UInt8(ascii: ".") {
                        dots += 1
                    } else {
                        whole = whole * 10 + Double(b[i] - 48)
                        if dots > 0 { scale *= 10 }
                    }
                    i += 1
                }
                guard dots <= 1, whole < 1e12 else { return nil }
                out.append(.number(whole / scale))
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                let start = i
                while i < b.count, (b[i] | 0x20) >= UInt8(ascii: "a"), (b[i] | 0x20) <= UInt8(ascii: "z") { i += 1 }
                out.append(.word(String(decoding: b[start..<i], as: UTF8.self).lowercased()))
            case 0xC2 where i + 1 < b.count && b[i + 1] == 0xA0:  // no-break space
                i += 2
            case 0xE2 where i + 2 < b.count:
                // Typographic marks: ’ ” ′ ″ (U+2019, U+201D, U+2032, U+2033).
                switch (b[i + 1], b[i + 2]) {
                case (0x80, 0x99): out.append(.symbol("\u{2019}"))
                case (0x80, 0x9D): out.append(.symbol("\u{201D}"))
                case (0x80, 0xB2): out.append(.symbol("\u{2032}"))
                case (0x80, 0xB3): out.append(.symbol("\u{2033}"))
                default: return nil
                }
                i += 3
            case 0x21...0x7E:
                out.append(.symbol(Unicode.Scalar(c)))
                i += 1
            default:
                return nil
            }
        }
        return out
    }
}

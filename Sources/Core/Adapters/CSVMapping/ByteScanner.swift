/// A cursor over the UTF-8 bytes of one value, for the fixed-format readers.
package struct ByteScanner {
    private let bytes: [UInt8]
    package private(set) var position = 0

    package init(_ text: String) { bytes = Array(text.utf8) }

    package var atEnd: Bool { position == bytes.count }
    package var next: UInt8? { position < bytes.count ? bytes[position] : nil }

    package mutating func eat(_ b: UInt8) -> Bool {
        guard next == b else { return false }
        position += 1
        return true
    }

    /// Exactly `count` ASCII digits.
    package mutating func digits(_ count: Int) -> Int? {
        digits(min: count, max: count)
    }

    /// Between `min` and `max` ASCII digits, as many as there are.
    package mutating func digits(min: Int, max: Int) -> Int? {
        var value = 0
        var n = 0
        while n < max, let b = next, b >= 48, b <= 57 {
            value = value * 10 + Int(b - 48)
            position += 1
            n += 1
        }
        return n >= min ? value : nil
    }

    /// One or more digits after a decimal point, as a fraction of one.
    package mutating func fraction() -> Double? {
        var value = 0.0
        var scale = 1.0
        while let b = next, b >= 48, b <= 57 {
            if scale < 1e9 {
                scale *= 10
                value = value * 10 + Double(b - 48)
            }
            position += 1
        }
        return scale > 1 ? value / scale : nil
    }

    /// `+1` or `-1` for a leading sign (also U+2212 MINUS SIGN), consumed.
    package mutating func sign() -> Int? {
        if eat(UInt8(ascii: "+")) { return 1 }
        if eat(UInt8(ascii: "-")) { return -1 }
        if position + 2 < bytes.count, bytes[position] == 0xE2, bytes[position + 1] == 0x88, bytes[position + 2] == 0x92
        {
            position += 3
            return -1
        }
        return nil
    }

    /// Skips spaces and tabs; true when there was at least one.
    package mutating func skipBlanks() -> Bool {
        let start = position
        while let b = next, b == 32 || b == 9 { position += 1 }
        return position > start
    }
}

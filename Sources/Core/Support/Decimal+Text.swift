package import Foundation

extension Decimal {
    /// The same text as `description` (plain digits, no exponent, no trailing zeros),
    /// written without Foundation's general formatter for the values prices take.
    ///
    /// `description` and `NSDecimalNumber.stringValue` cost about 0.65 µs a call; a lead
    /// formats its price several times on the way in (the stored document, the row, the
    /// event), which made them a few per cent of an import's time. Values whose
    /// significand needs more than 18 digits, or whose exponent is beyond ±18, take
    /// `description` itself.
    package var plainText: String {
        let e = exponent
        guard !isNaN, e >= -18, e <= 18 else { return description }
        let magnitude = significand
        guard magnitude < Decimal.eighteenNines else { return description }
        let n = Int64(truncating: NSDecimalNumber(decimal: magnitude))
        if n == 0 { return "0" }
        var digits = Array(String(n).utf8)
        var scale = -e
        // Foundation drops trailing fraction zeros; so do we.
        while scale > 0, digits.count > 1, digits.last == UInt8(ascii: "0") {
            digits.removeLast()
            scale -= 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + 24)
        if sign == .minus { out.append(UInt8(ascii: "-")) }
        if scale <= 0 {
            out.append(contentsOf: digits)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -scale))
        } else if digits.count > scale {
            out.append(contentsOf: digits[..<(digits.count - scale)])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: digits[(digits.count - scale)...])
        } else {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: scale - digits.count))
            out.append(contentsOf: digits)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let eighteenNines = Decimal(string: "999999999999999999")!
}

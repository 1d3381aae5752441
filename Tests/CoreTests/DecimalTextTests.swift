import Foundation
import Testing

@testable import Core

@Suite struct DecimalTextTests {
    static let samples: [String] = [
        "0", "-0", "0.0", "5", "5.00", "-5", "75", "60.50", "0.1", "-0.25", "0.000123", "100", "1e3", "1.10",
        "12.3400", "999999999999999999", "1000000000000000000", "123456789.123456789", "-0.000000000000000001",
        "1e-18", "1e-19", "1e18", "1e19", "123456789012345678901234", "1e-30", "-98765.4321",
    ]

    @Test(arguments: samples)
    func matchesFoundationsText(_ text: String) throws {
        let d = try #require(Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")))
        #expect(d.plainText == d.description)
        #expect(d.plainText == NSDecimalNumber(decimal: d).stringValue)
    }

    /// Prices as ingest makes them: parsed, summed, negated, scaled.
    @Test func matchesFoundationsTextForComputedValues() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let cents = Int64.random(in: -10_000_000...10_000_000, using: &g)
            let scale = Int.random(in: 0...8, using: &g)
            let a = Decimal(sign: cents < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(cents.magnitude))
            let b = Decimal(string: "\(Int.random(in: 0...500, using: &g)).\(Int.random(in: 0...99, using: &g))")!
            for d in [a, b, a + b, a - b, a * b, a * Decimal(1000)] {
                #expect(d.plainText == d.description, "\(d)")
            }
        }
    }
}

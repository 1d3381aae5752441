/// The one normaliser of lead identity, used by every channel (webhook, CSV, replay).
///
/// Adapters hand over the vendor's values; this turns them into the forms unique
/// indexes compare: E.164 phones, trimmed lower-case emails, trimmed vendor lead ids.
/// Pure functions, safe from any thread.
public enum IdentityNormalizer {
    /// E.164 form of a phone number, or nil when the value is not one.
    ///
    /// Accepted: US numbers of 10 digits (area code not starting with 0 or 1) or
    /// 1 + 10 digits, with the usual punctuation (`(555) 201-3344`, `555.201.3344`,
    /// `+1 555 201 3344`); international numbers written with a leading `+` and
    /// 8 to 15 digits. Anything else (letters, extensions, too short) is not a phone.
    public static func phone(_ raw: String) -> String? {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        var plus = false
        var seenDigit = false
        for byte in raw.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits.append(byte)
                seenDigit = true
            case UInt8(ascii: "+"):
                // A plus is only meaningful before the first digit.
                if seenDigit || plus { return nil }
                plus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("),
                UInt8(ascii: ")"), UInt8(ascii: "\t"), UInt8(ascii: "/"):
                continue
            default:
                return nil
            }
        }
        if plus {
            guard (8...15).contains(digits.count), digits[0] != UInt8(ascii: "0") else { return nil }
            if digits[0] == UInt8(ascii: "1") {
                guard digits.count == 11, isUSAreaCode(digits[1]) else { return nil }
            }
            return "+" + String(decoding: digits, as: UTF8.self)
        }
        if digits.count == 11, digits[0] == UInt8(ascii: "1") { digits.removeFirst() }
        guard digits.count == 10, isUSAreaCode(digits[0]) else { return nil }
        return "+1" + String(decoding: digits, as: UTF8.self)
    }

    private static func isUSAreaCode(_ first: UInt8) -> Bool {
        first >= UInt8(ascii: "2") && first <= UInt8(ascii: "9")
    }

    /// Trimmed, lower-cased email, or nil when the value is not an address
    /// (no `@`, nothing before or after it, no dot in the domain, or whitespace inside).
    public static func email(_ raw: String) -> String? {
        let value = raw.trimmingWhitespace()
        var at = -1
        var count = 0
        var lastDot = -1
        for (i, byte) in value.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "@"):
                if at >= 0 { return nil }
                at = i
            case UInt8(ascii: "."):
                lastDot = i
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"):
                return nil
            default:
                break
            }
            count = i + 1
        }
        guard at > 0, lastDot > at + 1, lastDot < count - 1 else { return nil }
        return value.lowercased()
    }

    /// The vendor's lead id, trimmed, case kept; nil when blank.
    public static func vendorLeadId(_ raw: String) -> String? {
        let v = raw.trimmingWhitespace()
        return v.isEmpty ? nil : v
    }
}

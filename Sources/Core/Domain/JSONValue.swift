/// A JSON value as Sluice keeps it: vendor records, lead `fields`, event payloads.
///
/// Numbers are kept as `Double` for arithmetic-free values (sizes, counts); money is
/// carried separately as `Decimal` (see ``LeadDraft/price``) so sums stay exact.
/// Values are immutable and `Sendable`.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

extension JSONValue {
    /// The value as text, the way a CSV cell would carry it: strings as-is, numbers in
    /// their shortest form (`5`, `13.5`), booleans as `true`/`false`; `nil` for null,
    /// arrays and objects.
    public var text: String? {
        switch self {
        case .string(let s): return s
        case .number(let d): return JSONValue.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .null, .array, .object: return nil
        }
    }

    /// Shortest round-tripping text of a number; integral values print without a fraction.
    package static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 {
            return String(Int64(d))
        }
        return "\(d)"
    }
}

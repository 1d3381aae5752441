package import Foundation

/// A column's value after its transforms, before it is stored in the draft.
package enum MappedValue: Sendable, Hashable {
    case text(String)
    case bool(Bool)
    case integer(Int)
    /// Exact for typed members (`price`), the `Double` for `fields`.
    case decimal(Decimal, Double)
    case date(CivilDate)
    case instant(Date)
    case list([String])
    /// A JSON array or object passed through untouched (JSON records only).
    case json(JSONValue)

    /// The value as text, for a text member such as `dob` or `zipcode`.
    package var text: String {
        switch self {
        case .text(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .integer(let i): return String(i)
        case .decimal(let d, _): return d.description
        case .date(let d): return d.description
        case .instant(let t): return Timestamp.format(t)
        case .list(let items): return items.joined(separator: ", ")
        case .json(let v): return v.text ?? ""
        }
    }

    /// The value as it is kept in `fields`.
    package var json: JSONValue {
        switch self {
        case .text(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .integer(let i): return .number(Double(i))
        case .decimal(_, let d): return .number(d)
        case .date(let d): return .string(d.description)
        case .instant(let t): return .string(Timestamp.format(t))
        case .list(let items): return .array(items.map { .string($0) })
        case .json(let v): return v
        }
    }
}

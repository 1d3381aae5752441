import Foundation

/// One step of a column's `transform:` list, compiled from `vendors.yaml`.
///
/// Text steps (`trim` … `map`) turn text into text; a typed step (`date`, `boolean`,
/// `decimal`, `integer`, `duration`, `list`) turns text into a typed value and must
/// come last. A step that cannot read its input fails the column: the raw text is
/// kept in `fields` and the lead gets a warning.
package enum ValueTransform: Sendable, Hashable {
    case trim, upper, lower, title, digits, phone, email
    case gender, state, height
    /// Value map, exact match; `fallback` replaces unmatched values (kept when nil).
    case map([String: String], fallback: String?)
    /// Replaces a blank value.
    case defaultValue(String)
    /// A fixed `pattern` (ISO 8601 when nil) read in `zone`. `instant` makes a date
    /// without a time an instant (its midnight in `zone`), for `purchasedAt`.
    case date(DatePattern?, zone: ZoneOffsets, instant: Bool)
    case boolean, decimal, integer, duration, list

    /// Every transform name `vendors.yaml` accepts, for "did you mean".
    package static let names = [
        "trim", "upper", "lower", "title", "digits", "phone", "email", "gender", "state", "height",
        "map", "default", "date", "boolean", "decimal", "integer", "duration", "list",
    ]

    package var name: String {
        switch self {
        case .trim: return "trim"
        case .upper: return "upper"
        case .lower: return "lower"
        case .title: return "title"
        case .digits: return "digits"
        case .phone: return "phone"
        case .email: return "email"
        case .gender: return "gender"
        case .state: return "state"
        case .height: return "height"
        case .map: return "map"
        case .defaultValue: return "default"
        case .date: return "date"
        case .boolean: return "boolean"
        case .decimal: return "decimal"
        case .integer: return "integer"
        case .duration: return "duration"
        case .list: return "list"
        }
    }

    /// What a typed step produces; nil for text steps.
    package enum Output: Sendable {
        case bool, integer, decimal, date, instant, list
    }

    package var output: Output? {
        switch self {
        case .boolean: return .bool
        case .integer, .duration: return .integer
        case .decimal: return .decimal
        case .list: return .list
        case .date(let pattern, _, let instant):
            return instant || pattern?.hasTime ?? true ? .instant : .date
        default: return nil
        }
    }

    /// What the value should have been, for a warning ("a date in the format MM-DD-YYYY").
    package var expectation: String {
        switch self {
        case .gender: return "male or female"
        case .state: return "a US state"
        case .height: return "a height (inches, or feet and inches)"
        case .date(let pattern?, _, _): return "a date in the format \(pattern)"
        case .date(nil, _, _): return "an ISO 8601 date or timestamp"
        case .boolean: return "a yes/no value"
        case .decimal: return "a number"
        case .integer: return "a whole number"
        case .duration: return "a duration"
        case .list: return "a list"
        default: return "valid"
        }
    }

    /// A text step on non-blank `text`; nil when the value fails the step.
    package func apply(text: String) -> String? {
        switch self {
        case .trim: return ValueParsing.trim(text)
        case .upper: return text.uppercased()
        case .lower: return text.lowercased()
        case .title: return ValueParsing.titleCase(text)
        case .digits: return ValueParsing.digits(text)
        case .phone: return ValueParsing.phone(text)
        case .email: return ValueParsing.trim(text).lowercased()
        case .gender: return ValueParsing.gender(text)
        case .state: return USState.code(text)
        case .height: return ValueParsing.height(text)
        case .map(let values, let fallback): return values[text] ?? fallback ?? text
        case .defaultValue: return text
        case .date, .boolean, .decimal, .integer, .duration, .list: return nil
        }
    }

    /// A typed step on non-blank `text`; nil when the value fails the step.
    package func read(_ text: String) -> MappedValue? {
        switch self {
        case .boolean: return ValueParsing.boolean(text).map(MappedValue.bool)
        case .integer: return ValueParsing.integer(text).map(MappedValue.integer)
        case .duration: return ValueParsing.durationSeconds(text).map(MappedValue.integer)
        case .decimal:
            guard let d = ValueParsing.decimal(text), let n = ValueParsing.number(text) else { return nil }
            return .decimal(d, n)
        case .list: return ValueParsing.list(text).map(MappedValue.list)
        case .date(nil, let zone, let instant):
            if text.utf8.count <= 10, let date = CivilDate(loose: text) {
                guard instant else { return .date(date) }
                let utc = zone.utcSeconds(fromLocal: Int64(date.daysSinceEpoch) * 86_400)
                return .instant(Date(timeIntervalSince1970: Double(utc)))
            }
            return Timestamp.parse(text, zone: zone).map(MappedValue.instant)
        case .date(let pattern?, let zone, let instant):
            guard let r = pattern.parse(text) else { return nil }
            guard pattern.hasTime || instant else { return .date(r.date) }
            let local = Int64(r.date.daysSinceEpoch) * 86_400 + Int64(r.secondsOfDay)
            return .instant(Date(timeIntervalSince1970: Double(zone.utcSeconds(fromLocal: local)) + r.fraction))
        default:
            return apply(text: text).map(MappedValue.text)
        }
    }
}

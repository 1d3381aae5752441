public import Core
import Foundation

extension NextGenAdapter {
    /// Every value, normalised: typed lead members plus `fields` under the export names.
    public func enrich(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        let columns = NextGenColumn.ordered
        // One pass over the record: each name is looked up once.
        var values = [JSONValue?](repeating: nil, count: columns.count)
        var aliased = [(name: String, value: JSONValue)?](repeating: nil, count: columns.count)
        var d = LeadDraft()
        d.fields.reserveCapacity(record.values.count)
        let layout = layouts.layout(for: record.names) { NextGenLayout($0) }
        for (i, value) in record.values.enumerated() {
            guard let (position, isAlias) = layout.slots[i] else {
                let name = record.names.names[i]
                if let kept = Self.kept(value), d.fields[name] == nil { d.fields[name] = kept }
                continue
            }
            guard Self.kept(value) != nil else { continue }
            if isAlias {
                if aliased[position] == nil { aliased[position] = (record.names.names[i], value) }
            } else if values[position] == nil {
                values[position] = value
            }
        }
        for (position, column) in columns.enumerated() {
            if let alias = aliased[position] {
                if let value = values[position] {
                    // Both spellings sent and they disagree: the export name wins, the
                    // alias is kept so nothing the vendor sent is lost.
                    if value.text != alias.value.text { d.fields[alias.name] = Self.kept(alias.value) }
                } else {
                    values[position] = alias.value
                }
            }
            guard let value = values[position] else { continue }
            normalise(value, column, into: &d)
        }
        try Self.requireIdentity(d)
        return d
    }

    /// Puts one present value where it belongs.
    private func normalise(_ value: JSONValue, _ column: NextGenColumn, into d: inout LeadDraft) {
        if column == .medicalConditions {
            if let items = ValueParsing.list(value) {
                d.fields[column.rawValue] = .array(items.map { .string($0) })
            } else {
                Self.reject(value, column, "a list", in: &d)
            }
            return
        }
        guard let text = value.text.map(ValueParsing.trim) else {
            Self.reject(value, column, "a single value", in: &d)
            return
        }
        switch column {
        case .createdAt, .price: read(text, column, into: &d)
        case .purchaseId: d.purchaseId = text
        case .product: d.product = text
        case .leadId: d.vendorLeadId = text
        case .firstName: d.firstName = text
        case .lastName: d.lastName = text
        case .phone: d.phone = text
        case .email: d.email = text
        case .street1: d.street1 = text
        case .city: d.city = text
        case .zipcode: d.zipcode = text
        case .state:
            if let code = USState.code(text) {
                d.state = code
            } else {
                Self.reject(value, column, "a US state", in: &d)
            }
        case .dob:
            if let date = CivilDate(loose: text) {
                d.dob = date.description
            } else {
                Self.reject(value, column, "a date (YYYY-MM-DD, MM/DD/YYYY or MM-DD-YYYY)", in: &d)
            }
        case .gender:
            if let g = ValueParsing.gender(text) {
                d.gender = g
            } else {
                Self.reject(value, column, "male or female", in: &d)
            }
        case .height:
            if let h = ValueParsing.height(text) {
                d.fields[column.rawValue] = .string(h)
            } else {
                Self.reject(value, column, "a height (inches, or feet and inches)", in: &d)
            }
        case .householdSize, .householdIncome, .weight:
            if let n = ValueParsing.number(text) {
                d.fields[column.rawValue] = .number(n)
            } else {
                Self.reject(value, column, "a number", in: &d)
            }
        case .callDuration:
            if let s = ValueParsing.durationSeconds(text) {
                d.fields[column.rawValue] = .number(Double(s))
            } else {
                Self.reject(value, column, "a duration", in: &d)
            }
        case _ where column.isBoolean:
            if let b = ValueParsing.boolean(text) {
                d.fields[column.rawValue] = .bool(b)
            } else {
                Self.reject(value, column, "true or false", in: &d)
            }
        default:
            d.fields[column.rawValue] = .string(text)
        }
    }

    /// A value as kept in `fields`: trimmed text, other JSON as-is; nil when null or blank.
    static func kept(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null: return nil
        case .string(let s):
            let t = ValueParsing.trim(s)
            return t.isEmpty ? nil : .string(t)
        default: return value
        }
    }
}

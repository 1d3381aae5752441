import Foundation

/// One entry of `columns:`: where a column's value goes and how it is transformed,
/// compiled once when `vendors.yaml` is loaded.
///
/// A class so a row's pass over the rules shares them instead of copying each one;
/// immutable, hence `Sendable`.
package final class ColumnRule: Sendable {
    /// The header (or JSON member) name as the vendor spells it.
    package let column: String
    package let target: MappingTarget
    /// Text steps, in order.
    package let steps: [ValueTransform]
    /// The typed step that ends the list, if any.
    package let final: ValueTransform?
    /// The vendor's zone, for `purchasedAt` values read without a `date` transform.
    package let zone: ZoneOffsets

    /// What one rule made of one record.
    package enum Outcome {
        /// Blank, null or missing: nothing to store.
        case absent
        case value(MappedValue)
        /// The value failed a step; the warning says it should have been `expectation`.
        case invalid(raw: JSONValue, expectation: String)
    }

    package init(column: String, target: MappingTarget, transforms: [ValueTransform], zone: ZoneOffsets) {
        self.column = column
        self.target = target
        self.zone = zone
        if let last = transforms.last, last.output != nil {
            steps = Array(transforms.dropLast())
            final = last
        } else {
            steps = transforms
            final = nil
        }
    }

    /// Applies the rule to the raw value of its column.
    package func apply(_ raw: JSONValue) -> Outcome {
        var text: String
        switch raw {
        case .null: text = ""
        case .array, .object:
            // Structured JSON only passes through untouched to a field.
            if steps.isEmpty, final == nil, case .field = target { return .value(.json(raw)) }
            return .invalid(raw: raw, expectation: "a single value")
        case .string(let s): text = ValueParsing.trim(s)
        case .bool, .number: text = raw.text ?? ""
        }
        for step in steps {
            if text.isEmpty {
                if case .defaultValue(let d) = step { text = d }
                continue
            }
            guard let next = step.apply(text: text) else { return .invalid(raw: raw, expectation: step.expectation) }
            text = next
        }
        if text.isEmpty { return .absent }
        guard let final else { return .value(.text(text)) }
        guard let value = final.read(text) else { return .invalid(raw: raw, expectation: final.expectation) }
        return .value(value)
    }

    /// Stores `value` in `draft`; the first non-blank value for a target wins. Returns
    /// the expectation when the value cannot be the member's type.
    package func store(_ value: MappedValue, in draft: inout LeadDraft) -> String? {
        switch target {
        case .field(let name):
            if draft.fields[name] == nil { draft.fields[name] = value.json }
        case .member(let member):
            switch member {
            case .price:
                guard draft.price == nil else { return nil }
                switch value {
                case .decimal(let d, _): draft.price = d
                case .integer(let i): draft.price = Decimal(i)
                default:
                    guard let d = ValueParsing.decimal(value.text) else { return "a price" }
                    draft.price = d
                }
            case .purchasedAt:
                guard draft.purchasedAt == nil else { return nil }
                if case .instant(let t) = value {
                    draft.purchasedAt = t
                } else {
                    guard let t = Timestamp.parse(value.text, zone: zone) else { return "an ISO 8601 timestamp" }
                    draft.purchasedAt = t
                }
            default:
                ColumnRule.setOnce(member, value.text, in: &draft)
            }
        }
        return nil
    }

    /// Sets a text member unless an earlier column already did.
    private static func setOnce(_ member: LeadMember, _ text: String, in d: inout LeadDraft) {
        func once(_ slot: inout String?) { if slot == nil { slot = text } }
        switch member {
        case .vendorLeadId: once(&d.vendorLeadId)
        case .purchaseId: once(&d.purchaseId)
        case .product: once(&d.product)
        case .firstName: once(&d.firstName)
        case .lastName: once(&d.lastName)
        case .name: once(&d.name)
        case .email: once(&d.email)
        case .phone: once(&d.phone)
        case .street1: once(&d.street1)
        case .city: once(&d.city)
        case .state: once(&d.state)
        case .zipcode: once(&d.zipcode)
        case .dob: once(&d.dob)
        case .gender: once(&d.gender)
        case .price, .purchasedAt: break
        }
    }
}

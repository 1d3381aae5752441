import Foundation

/// Folds purchases into a lead. The rules, in one place:
///
/// - A value is never replaced by an empty one.
/// - Between two non-empty values the later purchase wins (purchase time, else receive
///   time; ties broken by vendor and purchase key so the result never depends on the
///   order deliveries arrive in). Each value remembers which purchase set it
///   (`Lead.provenance`), so merging is order-independent and re-applying a purchase is
///   a no-op: re-importing a file changes nothing.
/// - Identity is sticky: once a lead has a phone or an email it keeps it; other phones
///   and emails go to `fields.otherPhones` / `fields.otherEmails` with a warning.
/// - The lead's price is the sum of its purchases; `createdAt` the earliest purchase time.
/// - The agents' `status`, `disposition` and `assignedTo` are never touched.
///
/// Pure; safe from any thread.
public enum LeadMerger {
    /// What the store found about the draft's identity in other leads of the tenant.
    public struct Conflicts: Sendable, Hashable {
        /// The draft's phone already belongs to another lead.
        public var phoneTaken = false
        /// The draft's email already belongs to another lead.
        public var emailTaken = false
        public init(phoneTaken: Bool = false, emailTaken: Bool = false) {
            self.phoneTaken = phoneTaken
            self.emailTaken = emailTaken
        }
    }

    /// Adds (or replaces, same vendor and key) `purchase` and applies the draft's values.
    public static func merge(
        _ normalized: NormalizedDraft, purchase: Lead.Purchase, into lead: inout Lead,
        conflicts: Conflicts = Conflicts()
    ) {
        let d = normalized.draft
        let index: Int
        if let i = lead.purchases.firstIndex(where: { $0.key == purchase.key && $0.vendor == purchase.vendor }) {
            var replaced = purchase
            replaced.receivedAt = lead.purchases[i].receivedAt
            lead.purchases[i] = replaced
            index = i
        } else {
            lead.purchases.append(purchase)
            index = lead.purchases.count - 1
        }
        var m = Merge(lead: lead, index: index)

        m.set(\.firstName, "firstName", d.firstName)
        m.set(\.lastName, "lastName", d.lastName)
        m.set(\.name, "name", d.name)
        m.set(\.street1, "street1", d.street1)
        m.set(\.city, "city", d.city)
        m.set(\.state, "state", d.state)
        m.set(\.zipcode, "zipcode", d.zipcode)
        m.set(\.dob, "dob", d.dob)
        m.set(\.gender, "gender", d.gender)
        if m.lead.vendorLeadId == nil, let v = d.vendorLeadId { m.lead.vendorLeadId = v }

        m.identity(\.phone, value: d.phone, taken: conflicts.phoneTaken, otherKey: "otherPhones", field: "phone")
        m.identity(\.email, value: d.email, taken: conflicts.emailTaken, otherKey: "otherEmails", field: "email")

        for (key, value) in d.fields where !isEmpty(value) {
            if m.wins("f:" + key) { m.lead.fields[key] = value }
        }
        for w in d.warnings where !m.lead.warnings.contains(w) {
            m.lead.warnings.append(w)
        }

        var lead2 = m.lead
        lead2.price = sum(lead2.purchases.compactMap(\.price))
        lead2.createdAt = lead2.purchases.compactMap(\.purchasedAt).min() ?? lead2.receivedAt
        lead = lead2
    }

    /// The lead after merging, without bookkeeping changes that mean nothing to a reader.
    static func sum(_ prices: [Decimal]) -> Decimal? {
        guard !prices.isEmpty else { return nil }
        return prices.reduce(Decimal(0), +)
    }

    static func isEmpty(_ v: JSONValue) -> Bool {
        switch v {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        case .bool, .number: return false
        }
    }

    private struct Merge {
        var lead: Lead
        let index: Int

        /// Sort key of a purchase: later purchases win.
        func order(_ i: Int) -> (Date, String, String) {
            let p = lead.purchases[i]
            return (p.purchasedAt ?? p.receivedAt, p.vendor, p.key)
        }

        /// Whether this purchase may set `field`, recording it when so.
        mutating func wins(_ field: String) -> Bool {
            if let prev = lead.provenance[field], prev != index, prev < lead.purchases.count {
                guard order(index) > order(prev) else { return false }
            }
            lead.provenance[field] = index
            return true
        }

        mutating func set(_ path: WritableKeyPath<Lead, String?>, _ field: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            if wins(field) { lead[keyPath: path] = value }
        }

        mutating func identity(
            _ path: WritableKeyPath<Lead, String?>, value: String?, taken: Bool, otherKey: String, field: String
        ) {
            guard let value else { return }
            if let current = lead[keyPath: path] {
                if current != value { addOther(value, otherKey: otherKey, field: field, conflict: false) }
            } else if taken {
                addOther(value, otherKey: otherKey, field: field, conflict: true)
            } else {
                lead[keyPath: path] = value
            }
        }

        mutating func addOther(_ value: String, otherKey: String, field: String, conflict: Bool) {
            var others: [String] = []
            if case .array(let items)? = lead.fields[otherKey] { others = items.compactMap(\.text) }
            if !others.contains(value) {
                others.append(value)
                others.sort()
                lead.fields[otherKey] = .array(others.map { .string($0) })
            }
            let warning =
                conflict
                ? LeadWarning(
                    field: field, code: .identityConflict,
                    message:
                        "This \(field) belongs to another lead; the stronger key decided, the value is in fields.\(otherKey)."
                )
                : LeadWarning(
                    field: field, code: .otherContact,
                    message:
                        "A purchase carried another \(field); the lead keeps its own, the other is in fields.\(otherKey)."
                )
            if !lead.warnings.contains(warning) { lead.warnings.append(warning) }
        }
    }
}

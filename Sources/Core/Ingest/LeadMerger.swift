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
        let order = Order(purchases: lead.purchases, index: index)

        order.set(&lead, \.firstName, "firstName", d.firstName)
        order.set(&lead, \.lastName, "lastName", d.lastName)
        order.set(&lead, \.name, "name", d.name)
        order.set(&lead, \.street1, "street1", d.street1)
        order.set(&lead, \.city, "city", d.city)
        order.set(&lead, \.state, "state", d.state)
        order.set(&lead, \.zipcode, "zipcode", d.zipcode)
        order.set(&lead, \.dob, "dob", d.dob)
        order.set(&lead, \.gender, "gender", d.gender)
        if lead.vendorLeadId == nil, let v = d.vendorLeadId { lead.vendorLeadId = v }

        identity(&lead, \.phone, value: d.phone, taken: conflicts.phoneTaken, otherKey: "otherPhones", field: "phone")
        identity(&lead, \.email, value: d.email, taken: conflicts.emailTaken, otherKey: "otherEmails", field: "email")

        if index == 0 && lead.provenance.isEmpty {
            // The first purchase of a lead sets everything; nothing to compare.
            for (key, value) in d.fields where !isEmpty(value) { lead.fields[key] = value }
        } else {
            for (key, value) in d.fields where !isEmpty(value) {
                if order.wins(&lead.provenance, "f:" + key, present: lead.fields[key] != nil) {
                    lead.fields[key] = value
                }
            }
        }
        for w in d.warnings where !lead.warnings.contains(w) {
            lead.warnings.append(w)
        }
        lead.price = sum(lead.purchases.compactMap(\.price))
        lead.createdAt = lead.purchases.compactMap(\.purchasedAt).min() ?? lead.receivedAt
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

    /// Which purchase set a value: `provenance[name]`, or the first purchase (index 0)
    /// when the value is present without an entry — most values come from the first
    /// purchase, so the common case stores and compares nothing.
    private struct Order {
        let purchases: [Lead.Purchase]
        let index: Int

        /// Sort key of a purchase: later purchases win.
        func key(_ i: Int) -> (Date, String, String) {
            let p = purchases[i]
            return (p.purchasedAt ?? p.receivedAt, p.vendor, p.key)
        }

        /// Whether this purchase may set `name`, recording it when so.
        func wins(_ provenance: inout [String: Int], _ name: String, present: Bool) -> Bool {
            let prev = provenance[name] ?? (present ? 0 : nil)
            if let prev, prev != index, prev < purchases.count {
                guard key(index) > key(prev) else { return false }
            }
            if index == 0 {
                provenance[name] = nil
            } else {
                provenance[name] = index
            }
            return true
        }

        func set(_ lead: inout Lead, _ path: WritableKeyPath<Lead, String?>, _ name: String, _ value: String?) {
            guard let value, !value.isEmpty else { return }
            if index == 0 && lead.provenance.isEmpty {
                lead[keyPath: path] = value
            } else if wins(&lead.provenance, name, present: lead[keyPath: path] != nil) {
                lead[keyPath: path] = value
            }
        }
    }

    private static func identity(
        _ lead: inout Lead, _ path: WritableKeyPath<Lead, String?>, value: String?, taken: Bool, otherKey: String,
        field: String
    ) {
        guard let value else { return }
        if let current = lead[keyPath: path] {
            if current != value { addOther(&lead, value, otherKey: otherKey, field: field, conflict: false) }
        } else if taken {
            addOther(&lead, value, otherKey: otherKey, field: field, conflict: true)
        } else {
            lead[keyPath: path] = value
        }
    }

    private static func addOther(_ lead: inout Lead, _ value: String, otherKey: String, field: String, conflict: Bool) {
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
                    "A purchase carried another \(field); the lead keeps its own, the other is in fields.\(otherKey).")
        if !lead.warnings.contains(warning) { lead.warnings.append(warning) }
    }
}

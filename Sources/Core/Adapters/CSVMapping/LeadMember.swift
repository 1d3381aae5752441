/// A typed member of ``LeadDraft`` that a mapping can fill, by the name `vendors.yaml`
/// uses (the same spelling as ``LeadDraft/contactNames``).
package enum LeadMember: String, Sendable, Hashable, CaseIterable {
    case vendorLeadId, purchaseId, product, price, purchasedAt
    case firstName, lastName, name, email, phone
    case street1, city, state, zipcode, dob, gender

    /// What the member holds, so a mapping can be checked when it is loaded.
    package enum Kind: Sendable {
        case text, decimal, instant
    }

    package var kind: Kind {
        switch self {
        case .price: return .decimal
        case .purchasedAt: return .instant
        default: return .text
        }
    }

    /// Members the minimal transform fills before the vendor gets its reply: identity,
    /// contact and purchase values. The rest waits for enrichment.
    package var isMinimal: Bool {
        switch self {
        case .vendorLeadId, .purchaseId, .product, .price, .purchasedAt,
            .firstName, .lastName, .name, .email, .phone:
            return true
        case .street1, .city, .state, .zipcode, .dob, .gender:
            return false
        }
    }
}

/// Where a mapped column's value goes: a typed lead member or a name in `fields`.
package enum MappingTarget: Sendable, Hashable, CustomStringConvertible {
    case member(LeadMember)
    case field(String)

    package var description: String {
        switch self {
        case .member(let m): return m.rawValue
        case .field(let name): return name
        }
    }

    package var isMinimal: Bool {
        if case .member(let m) = self { return m.isMinimal }
        return false
    }
}

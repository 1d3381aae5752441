import Foundation

/// A ``LeadDraft`` after the core's own rules: identity normalised, reserved names
/// removed, problems turned into warnings. This, never the adapter's raw draft, is
/// what the store merges.
public struct NormalizedDraft: Sendable, Hashable {
    public var draft: LeadDraft
    /// E.164 phone or nil.
    public var phone: String? { draft.phone }
    public var email: String? { draft.email }
    public var vendorLeadId: String? { draft.vendorLeadId }

    /// Applies the core's rules to what an adapter returned.
    public init(_ input: LeadDraft) {
        var d = input
        for name in d.fields.keys where LeadDraft.reservedNames.contains(name) {
            d.fields[name] = nil
            d.warnings.append(
                LeadWarning(
                    field: name, code: .reservedField,
                    message: "The adapter set '\(name)', which only the core sets; it was ignored."))
        }
        if let raw = d.phone {
            if let e164 = IdentityNormalizer.phone(raw) {
                d.phone = e164
            } else {
                d.phone = nil
                d.fields["phone"] = .string(raw)
                d.warnings.append(
                    LeadWarning(
                        field: "phone", code: .invalidPhone,
                        message: "The phone value is not a phone number; kept in fields."))
            }
        }
        if let raw = d.email {
            if let email = IdentityNormalizer.email(raw) {
                d.email = email
            } else {
                d.email = nil
                d.fields["email"] = .string(raw)
                d.warnings.append(
                    LeadWarning(
                        field: "email", code: .invalidEmail,
                        message: "The email value is not an email address; kept in fields."))
            }
        }
        d.vendorLeadId = d.vendorLeadId.flatMap(IdentityNormalizer.vendorLeadId)
        d.purchaseId = d.purchaseId.flatMap(IdentityNormalizer.vendorLeadId)
        d.product = d.product.flatMap(IdentityNormalizer.vendorLeadId)
        if d.name == nil {
            let joined = [d.firstName, d.lastName].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            if !joined.isEmpty { d.name = joined }
        }
        self.draft = d
    }

    /// A draft that is already normalised (rebuilt from a stored lead's values).
    init(normalized: LeadDraft) {
        self.draft = normalized
    }

    /// Whether the lead can be identified at all: a vendor lead id, a phone or an email.
    public var hasIdentity: Bool { phone != nil || email != nil || vendorLeadId != nil }

    /// The purchase identity: `purchase_id`, else (vendor lead id, product), else the contact.
    public var purchaseKey: String? {
        if let id = draft.purchaseId { return "id:" + id }
        if let lead = vendorLeadId { return "lead:" + lead + "|" + (draft.product ?? "") }
        if let phone { return "phone:" + phone + "|" + (draft.product ?? "") }
        if let email { return "email:" + email + "|" + (draft.product ?? "") }
        return nil
    }
}

public import Foundation

/// What an adapter makes of one vendor record: a partial lead plus what is known of
/// the purchase.
///
/// The minimal transform fills identity and contact values only; the enrichment fills
/// everything it can. Values are the vendor's, after the adapter's own clean-up; the
/// core then normalises identity (E.164 phone, lower-cased email, trimmed vendor lead id)
/// itself, so adapters need not and cannot get that wrong.
///
/// An adapter cannot choose the tenant, the owner, the lead id or the timestamps the
/// core keeps. `fields` is free-form, so the core drops any member there whose name is
/// one of ``LeadDraft/reservedNames`` and records a ``LeadWarning/Code/reservedField``.
public struct LeadDraft: Sendable, Hashable {
    /// The vendor's own id for the lead (NextGen `lead_id`, Marketplace `leadID`).
    public var vendorLeadId: String?
    /// The vendor's id of this purchase (NextGen `purchase_id`), when it has one.
    public var purchaseId: String?
    /// What was sold (`data`, `ad`, …); part of the purchase identity when there is no id.
    public var product: String?
    /// Price of this purchase. The lead's price is the sum over its purchases.
    public var price: Decimal?
    /// When the vendor says the purchase happened. Becomes the lead's `createdAt` when
    /// it is the earliest one known.
    public var purchasedAt: Date?

    public var firstName: String?
    public var lastName: String?
    /// Full name when the vendor gives one; otherwise the core joins first and last.
    public var name: String?
    public var email: String?
    public var phone: String?
    public var street1: String?
    public var city: String?
    public var state: String?
    /// Always text: `02134` keeps its zero.
    public var zipcode: String?
    /// ISO date `YYYY-MM-DD` once enriched.
    public var dob: String?
    public var gender: String?

    /// Every other vendor value, by the adapter's name for it.
    public var fields: [String: JSONValue]
    /// Problems the adapter met; they end up on the lead.
    public var warnings: [LeadWarning]

    public init(
        vendorLeadId: String? = nil, purchaseId: String? = nil, product: String? = nil,
        price: Decimal? = nil, purchasedAt: Date? = nil,
        firstName: String? = nil, lastName: String? = nil, name: String? = nil,
        email: String? = nil, phone: String? = nil, street1: String? = nil,
        city: String? = nil, state: String? = nil, zipcode: String? = nil,
        dob: String? = nil, gender: String? = nil,
        fields: [String: JSONValue] = [:], warnings: [LeadWarning] = []
    ) {
        self.vendorLeadId = vendorLeadId
        self.purchaseId = purchaseId
        self.product = product
        self.price = price
        self.purchasedAt = purchasedAt
        self.firstName = firstName
        self.lastName = lastName
        self.name = name
        self.email = email
        self.phone = phone
        self.street1 = street1
        self.city = city
        self.state = state
        self.zipcode = zipcode
        self.dob = dob
        self.gender = gender
        self.fields = fields
        self.warnings = warnings
    }

    /// Lead members the core owns. A draft naming one in `fields` is overruled.
    public static let reservedNames: Set<String> = [
        "id", "leadId", "tenantId", "tenant", "assignedTo", "owner", "createdAt",
        "receivedAt", "updatedAt", "enrichedAt", "enrichment", "purchases", "warnings",
        "source",
    ]

    /// Names of the typed contact members, as a mapping configuration spells them.
    public static let contactNames: [String] = [
        "vendorLeadId", "purchaseId", "product", "price", "purchasedAt",
        "firstName", "lastName", "name", "email", "phone", "street1", "city", "state",
        "zipcode", "dob", "gender",
    ]
}

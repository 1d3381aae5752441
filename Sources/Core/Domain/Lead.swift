public import Foundation

/// A lead as Sluice stores and serves it: one person a tenant bought, made of one or
/// more purchases.
///
/// Built and changed only by the core (``LeadMerger``); adapters never see it.
/// Plain value, `Sendable`.
public struct Lead: Sendable, Hashable {
    public var id: String
    public var tenantId: String
    /// The uploader for uploads; nil for webhook and CLI leads.
    public var assignedTo: String?
    /// Vendor key of the first purchase.
    public var source: String
    public var vendorLeadId: String?
    public var firstName: String?
    public var lastName: String?
    public var name: String?
    /// Lower-cased; never changed once set.
    public var email: String?
    /// E.164; never changed once set.
    public var phone: String?
    public var street1: String?
    public var city: String?
    public var state: String?
    public var zipcode: String?
    public var dob: String?
    public var gender: String?
    /// Sum of the purchases' prices; nil when none had one.
    public var price: Decimal?
    public var purchases: [Purchase]
    /// The earliest purchase time a vendor gave, else when Sluice first received the lead.
    public var createdAt: Date
    public var receivedAt: Date
    public var updatedAt: Date
    public var enrichedAt: Date?
    public var enrichment: Enrichment
    /// The agents' status and disposition; ingest never changes them.
    public var status: String
    public var disposition: String
    public var warnings: [LeadWarning]
    /// Every other vendor value.
    public var fields: [String: JSONValue]
    /// For each value, the index in `purchases` of the purchase that set it: a value is
    /// replaced only by a later purchase (see ``LeadMerger``). Internal bookkeeping.
    public var provenance: [String: Int]

    public static let initialStatus = "New"
    public static let initialDisposition = "New Lead"

    public init(id: String, tenantId: String, source: String, receivedAt: Date) {
        self.id = id
        self.tenantId = tenantId
        self.source = source
        self.purchases = []
        self.createdAt = receivedAt
        self.receivedAt = receivedAt
        self.updatedAt = receivedAt
        self.enrichment = Enrichment(status: .pending, attempts: 0, lastError: nil)
        self.status = Lead.initialStatus
        self.disposition = Lead.initialDisposition
        self.warnings = []
        self.fields = [:]
        self.provenance = [:]
    }

    /// One purchase a lead is made of.
    public struct Purchase: Sendable, Hashable {
        /// `purchase_id`, else `vendorLeadId|product`, else the contact; unique per vendor and tenant.
        public var key: String
        public var purchaseId: String?
        public var vendor: String
        public var product: String?
        public var price: Decimal?
        public var purchasedAt: Date?
        public var receivedAt: Date

        public init(
            key: String, purchaseId: String?, vendor: String, product: String?, price: Decimal?,
            purchasedAt: Date?, receivedAt: Date
        ) {
            self.key = key
            self.purchaseId = purchaseId
            self.vendor = vendor
            self.product = product
            self.price = price
            self.purchasedAt = purchasedAt
            self.receivedAt = receivedAt
        }
    }

    /// Where the deferred enrichment of a lead stands.
    public struct Enrichment: Sendable, Hashable {
        public enum Status: String, Sendable, Hashable { case pending, done, failed }
        public var status: Status
        public var attempts: Int
        public var lastError: String?

        public init(status: Status, attempts: Int, lastError: String?) {
            self.status = status
            self.attempts = attempts
            self.lastError = lastError
        }
    }
}

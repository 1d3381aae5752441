public import Foundation
import Synchronization

/// One purchase on its way into the store: the tenant that owns it (from the
/// credential or the command line, never from the payload), the vendor, the vendor's
/// record as received and the lead it makes, normalised by the core.
///
/// Built on the caller's thread, which does all the CPU work that does not need the
/// database (the record's stored form, the merge into a fresh lead and its document),
/// so the store's writer thread only resolves, binds and writes. Kept compact: a CSV
/// import holds thousands of these in memory at once.
public struct IngestItem: Sendable {
    public let tenantId: String
    public let vendor: String
    /// Whether the lead values are already the enrichment (CSV imports enrich inline);
    /// when not, an enrichment job is written in the same transaction.
    public let enriched: Bool
    public let receivedAt: Date
    /// Owner of a lead this purchase creates (the uploader); nil for webhooks and CLI.
    public let assignedTo: String?
    /// The record's member names (shared by every row of a file) …
    package let names: FieldNames
    /// … and its values as stored (a JSON array): the purchase as received, kept so
    /// enrichment and replays can run again from it.
    package let recordValues: String
    /// Recognises a repeat of the same record (64-bit FNV-1a of names and values).
    package let recordHash: Int64
    /// Identifies the purchase within the vendor and tenant (see ``NormalizedDraft/purchaseKey``).
    package let purchaseKey: String
    /// The lead this purchase makes on its own — what is stored when it turns out to
    /// be new — and its stored document.
    package let fresh: Lead
    package let freshDoc: String
    /// The delivery as received, written to the raw inbox in the same transaction
    /// (webhooks); nil for rows of an uploaded file, whose file is kept instead.
    public var inbox: InboxEntry?
    /// The webhook credential that delivered it, when the caller looked that up earlier
    /// (from a cache): the store checks it is still active inside the write transaction,
    /// so a credential revoked a moment ago is refused (``StoreError/Code/unauthorized``).
    public var credentialId: String?

    /// - Precondition: `draft.hasIdentity` (``Ingestor/prepare`` checks it).
    public init(
        tenantId: String, vendor: String, record: VendorRecord, draft: NormalizedDraft, enriched: Bool,
        receivedAt: Date, assignedTo: String? = nil
    ) {
        precondition(draft.purchaseKey != nil, "a purchase needs a vendor lead id, a phone or an email")
        self.tenantId = tenantId
        self.vendor = vendor
        self.enriched = enriched
        self.receivedAt = receivedAt
        self.assignedTo = assignedTo
        self.names = record.names
        self.recordValues = record.valuesJSON
        self.recordHash = IngestItem.recordHash(record.names, recordValues)
        let key = draft.purchaseKey!
        self.purchaseKey = key
        var lead = Lead(
            id: Identifier.make("ld", millis: RFC3339.millis(receivedAt)), tenantId: tenantId, source: vendor,
            receivedAt: receivedAt)
        lead.assignedTo = assignedTo
        let purchase = Lead.Purchase(
            key: key, purchaseId: draft.draft.purchaseId, vendor: vendor, product: draft.draft.product,
            price: draft.draft.price, purchasedAt: draft.draft.purchasedAt, receivedAt: receivedAt)
        LeadMerger.merge(draft, purchase: purchase, into: &lead)
        self.fresh = lead
        self.freshDoc = LeadDocument.encode(lead)
    }

    static func fnv1a(_ a: String, _ b: String) -> Int64 {
        var h = fnv1a(0xcbf2_9ce4_8422_2325, a)
        h ^= 0xFF
        h = h &* 0x0000_0100_0000_01B3
        return Int64(bitPattern: fnv1a(h, b))
    }

    /// ``fnv1a(_:_:)`` of a record: the names' part is the same for every row of a file,
    /// so its state is computed once per name list (the last one is kept).
    static func recordHash(_ names: FieldNames, _ values: String) -> Int64 {
        let prefix = namesPrefix.withLock { last -> UInt64 in
            if let last, last.names === names { return last.state }
            var h = fnv1a(0xcbf2_9ce4_8422_2325, names.json)
            h ^= 0xFF
            h = h &* 0x0000_0100_0000_01B3
            last = (names, h)
            return h
        }
        return Int64(bitPattern: fnv1a(prefix, values))
    }

    private static let namesPrefix = Mutex<(names: FieldNames, state: UInt64)?>(nil)

    private static func fnv1a(_ start: UInt64, _ s: String) -> UInt64 {
        var h = start
        var s = s
        s.withUTF8 { bytes in
            for byte in bytes {
                h ^= UInt64(byte)
                h = h &* 0x0000_0100_0000_01B3
            }
        }
        return h
    }

    /// Identity as normalised: what the store resolves the lead by.
    public var vendorLeadId: String? { fresh.vendorLeadId }
    public var phone: String? { fresh.phone }
    public var email: String? { fresh.email }

    /// The purchase as the lead lists it.
    package var purchase: Lead.Purchase { fresh.purchases[0] }

    /// The draft again, for merging into an existing lead: the fresh lead holds exactly
    /// the draft's values (merging into an empty lead keeps every non-empty one).
    package var draft: NormalizedDraft {
        let l = fresh
        let p = purchase
        return NormalizedDraft(
            normalized: LeadDraft(
                vendorLeadId: l.vendorLeadId, purchaseId: p.purchaseId, product: p.product, price: p.price,
                purchasedAt: p.purchasedAt, firstName: l.firstName, lastName: l.lastName, name: l.name,
                email: l.email, phone: l.phone, street1: l.street1, city: l.city, state: l.state,
                zipcode: l.zipcode, dob: l.dob, gender: l.gender, fields: l.fields, warnings: l.warnings))
    }
}

/// What storing one purchase did.
public struct IngestResult: Sendable {
    public enum Outcome: String, Sendable, Hashable { case created, updated, unchanged }
    public var outcome: Outcome
    /// The lead as stored after this purchase.
    public var lead: Lead
    public init(outcome: Outcome, lead: Lead) {
        self.outcome = outcome
        self.lead = lead
    }
}

/// What storing one purchase of a batch did, without the lead itself (imports keep
/// thousands of these; they need the counts and the ids).
public struct BatchOutcome: Sendable, Hashable {
    public var outcome: IngestResult.Outcome
    public var leadId: String
    public init(outcome: IngestResult.Outcome, leadId: String) {
        self.outcome = outcome
        self.leadId = leadId
    }
}

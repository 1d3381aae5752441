public import Foundation

/// One purchase on its way into the store: the tenant that owns it (from the
/// credential or the command line, never from the payload), the vendor, the vendor's
/// record as received and the adapter's draft, normalised by the core.
public struct IngestItem: Sendable {
    public var tenantId: String
    public var vendor: String
    /// The vendor's record as received; kept with the purchase so enrichment and
    /// replays can run again from it.
    public var record: VendorRecord
    public var draft: NormalizedDraft
    /// Whether `draft` is already the enrichment (CSV imports enrich inline); when not,
    /// an enrichment job is written in the same transaction.
    public var enriched: Bool
    public var receivedAt: Date
    /// Owner of a lead this purchase creates (the uploader); nil for webhooks and CLI.
    public var assignedTo: String?
    /// `record`'s values as stored (a JSON array), computed by the caller's thread so
    /// the writer thread only binds it.
    package let recordValues: String

    public init(
        tenantId: String, vendor: String, record: VendorRecord, draft: NormalizedDraft, enriched: Bool,
        receivedAt: Date, assignedTo: String? = nil
    ) {
        self.tenantId = tenantId
        self.vendor = vendor
        self.record = record
        self.draft = draft
        self.enriched = enriched
        self.receivedAt = receivedAt
        self.assignedTo = assignedTo
        self.recordValues = record.valuesJSON
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

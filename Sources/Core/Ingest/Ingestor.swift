public import Foundation

/// The core's path from a vendor record to a stored lead, the same for every channel.
///
/// The adapter transforms; the ingestor normalises identity, stamps the tenant (from
/// the credential or the command line — never from the payload) and hands the purchase
/// to the store. Stateless apart from the store; share one per process.
public struct Ingestor: Sendable {
    public let store: any LeadStore

    public init(store: any LeadStore) {
        self.store = store
    }

    /// Runs the vendor's transform on `record` and prepares it for the store.
    ///
    /// - Parameter enrich: `true` runs the full enrichment now (CSV imports); `false`
    ///   runs the minimal transform and leaves enrichment to a durable job (webhooks).
    /// - Throws: ``AdapterError`` with code `noIdentity` when no lead can be formed.
    public static func prepare(
        vendor: Vendor, record: VendorRecord, tenantId: String, enrich: Bool, receivedAt: Date,
        assignedTo: String? = nil
    ) throws(AdapterError) -> IngestItem {
        let draft = enrich ? try vendor.adapter.enrich(record) : try vendor.adapter.minimal(record)
        let normalized = NormalizedDraft(draft)
        guard normalized.hasIdentity else {
            var fields = ["phone", "email"]
            for w in normalized.draft.warnings where !fields.contains(w.field) { fields.append(w.field) }
            throw AdapterError(
                .noIdentity, "no lead can be formed: there is no usable phone, email or vendor lead id",
                fields: fields)
        }
        return IngestItem(
            tenantId: tenantId, vendor: vendor.key, record: record, draft: normalized, enriched: enrich,
            receivedAt: receivedAt, assignedTo: assignedTo)
    }

    /// The webhook path: minimal transform, durable upsert with its enrichment job
    /// (group committed), then the result. When this returns, the lead is durable.
    ///
    /// - Parameter inbox: the delivery as received; stored in the same transaction.
    /// - Parameter credentialId: the credential the caller authenticated it with from a
    ///   cache; checked to be still active in the same transaction.
    public func ingestDelivery(
        vendor: Vendor, record: VendorRecord, tenantId: String, receivedAt: Date, inbox: InboxEntry? = nil,
        credentialId: String? = nil
    ) async throws -> IngestResult {
        var item = try Ingestor.prepare(
            vendor: vendor, record: record, tenantId: tenantId, enrich: false, receivedAt: receivedAt)
        item.inbox = inbox
        item.credentialId = credentialId
        return try await store.ingest(item)
    }
}

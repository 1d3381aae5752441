import Foundation
import Testing

@testable import Core
@testable import Plugins

/// The whole core path with the shipped `vendors.yaml`: webhook and CSV deliveries of
/// the same person, deferred enrichment, retries.
@Suite struct IngestChannelsTests {
    let dir = TemporaryDirectory()

    static var registry: AdapterRegistry { standardAdapters() }

    static func shippedCatalog() throws -> VendorCatalog {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try VendorCatalog.load(path: root.appendingPathComponent("vendors.yaml").path, registry: registry)
    }

    @Test func webhookThenCSVOfTheSamePurchaseIsOneEnrichedLead() async throws {
        let catalog = try Self.shippedCatalog()
        let nextgen = try #require(catalog["nextgen"])
        let store = try SQLiteStore(path: dir.file("a.db"))
        let tenant = try await store.createTenant(name: "A")
        let ingestor = Ingestor(store: store)

        // The webhook: minimal transform, durable, enrichment pending.
        let delivered = try await ingestor.ingestDelivery(
            vendor: nextgen, record: VendorRecord(object: nextGenWebhook), tenantId: tenant.id, receivedAt: Date())
        #expect(delivered.outcome == .created)
        #expect(delivered.lead.enrichment.status == .pending)
        #expect(delivered.lead.enrichedAt == nil)
        #expect(delivered.lead.phone == "+15550142233")
        #expect(delivered.lead.fields["household_size"] == nil)

        // The job runs from the stored record.
        let enrichedLeads = Mutex2<[Lead]>([])
        let worker = EnrichmentWorker(store: store, catalog: catalog) { lead in enrichedLeads.append(lead) }
        #expect(try await worker.drainOnce() == 1)
        let enriched = try #require(try await store.lead(id: delivered.lead.id, tenantId: tenant.id))
        #expect(enriched.enrichment.status == .done)
        #expect(enriched.enrichedAt != nil)
        #expect(enriched.city == "Austin")
        #expect(enriched.zipcode == "78701")
        #expect(enriched.fields["household_size"] == .number(3))
        #expect(enrichedLeads.value.map(\.id) == [delivered.lead.id])
        #expect(try await worker.drainOnce() == 0)

        // The same purchase in the CSV export: same lead, nothing new.
        let csv = try await store.ingest(batch: [
            try Ingestor.prepare(
                vendor: nextgen, record: nextGenRow(), tenantId: tenant.id, enrich: true, receivedAt: Date())
        ])[0].get()
        #expect(csv.leadId == delivered.lead.id)
        // The ad record of the same lead adds its price once, however often it comes.
        let ad = nextGenRow(["purchase_id": "01JTB000000000000000000AD1", "product": "ad", "price": "5"])
        for _ in 0..<3 {
            _ = try await store.ingest(batch: [
                try Ingestor.prepare(vendor: nextgen, record: ad, tenantId: tenant.id, enrich: true, receivedAt: Date())
            ])
        }
        let final = try #require(try await store.lead(id: delivered.lead.id, tenantId: tenant.id))
        #expect(try await store.leadCount(tenantId: tenant.id) == 1)
        #expect(final.price == Decimal(string: "42.5"))
        #expect(final.purchases.map(\.product).sorted { ($0 ?? "") < ($1 ?? "") } == ["ad", "data"])
    }

    @Test func failingEnrichmentIsRetriedThenParkedAndCanBeRequeued() async throws {
        let vendor = Vendor(
            config: VendorConfig(key: "flaky", name: "Flaky", adapter: "flaky", channels: [.webhook]),
            adapter: FlakyAdapter())
        let catalog = VendorCatalog(vendors: [vendor])
        let store = try SQLiteStore(path: dir.file("a.db"))
        let tenant = try await store.createTenant(name: "A")
        let r = try await Ingestor(store: store).ingestDelivery(
            vendor: vendor, record: .of(["phone": "5550142233"]), tenantId: tenant.id, receivedAt: Date())
        var policy = EnrichmentWorker.Policy()
        policy.maxAttempts = 2
        let worker = EnrichmentWorker(store: store, catalog: catalog, policy: policy)

        #expect(try await worker.drainOnce() == 1)
        var lead = try #require(try await store.lead(id: r.lead.id, tenantId: tenant.id))
        #expect(lead.enrichment.status == .pending)
        #expect(lead.enrichment.attempts == 1)
        #expect(lead.enrichment.lastError?.contains("upstream table missing") == true)

        // The retry is due within the backoff ceiling (1 s for the first retry).
        #expect(try await worker.drainOnce(now: Date().addingTimeInterval(2)) == 1)
        lead = try #require(try await store.lead(id: r.lead.id, tenantId: tenant.id))
        #expect(lead.enrichment.status == .failed)
        #expect(lead.enrichment.attempts == 2)
        #expect(try await worker.drainOnce(now: Date().addingTimeInterval(3600)) == 0)

        #expect(try await store.retryParkedJobs(leadId: r.lead.id) == 1)
        #expect(try await store.dueEnrichmentJobs(limit: 10, now: Date().addingTimeInterval(1)).count == 1)
    }

    @Test func oneFailingJobInABatchLeavesTheOthersEnriched() async throws {
        let vendor = Vendor(
            config: VendorConfig(key: "picky", name: "Picky", adapter: "picky", channels: [.webhook]),
            adapter: PickyAdapter())
        let catalog = VendorCatalog(vendors: [vendor])
        let store = try SQLiteStore(path: dir.file("a.db"))
        let tenant = try await store.createTenant(name: "A")
        var ids: [String] = []
        for phone in ["5550142231", "5550142230", "5550142232"] {
            let r = try await Ingestor(store: store).ingestDelivery(
                vendor: vendor, record: .of(["phone": phone]), tenantId: tenant.id, receivedAt: Date())
            ids.append(r.lead.id)
        }
        let worker = EnrichmentWorker(store: store, catalog: catalog)
        #expect(try await worker.drainOnce() == 3)
        let leads = try await ids.asyncMap { try #require(try await store.lead(id: $0, tenantId: tenant.id)) }
        #expect(leads.map(\.enrichment.status) == [.done, .pending, .done])
        #expect(leads[0].enrichedAt != nil && leads[1].enrichedAt == nil && leads[2].enrichedAt != nil)
        #expect(leads[0].city == "Picked")
        #expect(leads[1].enrichment.lastError?.contains("ends in 0") == true)
    }

    @Test func marketplaceFromTheShippedFileMapsEveryColumn() throws {
        let catalog = try Self.shippedCatalog()
        let marketplace = try #require(catalog["marketplace"])
        let names = FieldNames([
            "leadID", "created", "email", "primaryPhone", "firstName", "lastName", "dateOfBirth", "addressOne",
            "addressTwo", "addressThree", "city", "state", "postalCode", "income", "age", "household", "gender",
            "trustedFormCertID", "jornayaLeadID", "crmLastCallUsername", "crmLastOfCallHistoryNameLastFirst",
            "campaignName",
        ])
        let values = [
            "6f1c2b9e-0000-4000-8000-000000000001", "05-03-2025 14:22:10 ", "sam@example.com", "5550142299", "Sam",
            "Lee", "04-09-1980", "9 Oak Ave", "", "", "BOSTON", "MA", "02134", "85000", "45", "3", "M",
            "0123456789abcdef0123456789abcdef01234567", "6F1C2B9E-0000-4000-8000-0000000000AA", "agent@example.com",
            "Doe,  Jane", "Spring Promo  ",
        ]
        let draft = NormalizedDraft(
            try marketplace.adapter.enrich(VendorRecord(names: names, values: values.map(JSONValue.string))))
        let d = draft.draft
        #expect(d.vendorLeadId == "6f1c2b9e-0000-4000-8000-000000000001")
        #expect(d.phone == "+15550142299")
        #expect(d.zipcode == "02134")
        #expect(d.dob == "1980-04-09")
        #expect(d.gender == "Male")
        #expect(d.street1 == "9 Oak Ave")
        // 14:22:10 in New York (EDT, UTC-4) on 3 May 2025.
        #expect(d.purchasedAt.map(RFC3339.string) == "2025-05-03T18:22:10.000Z")
        for column in [
            "household_income", "age", "household_size", "trusted_form_cert_id", "jornaya_lead_id",
            "crm_last_call_username", "crm_last_call_name", "campaign_name",
        ] {
            #expect(d.fields[column] != nil, "\(column) is mapped")
        }
        #expect(d.fields["campaign_name"] == .string("Spring Promo"))
    }
}

/// An adapter whose enrichment always fails, as one depending on a broken lookup would.
struct FlakyAdapter: VendorAdapter {
    func minimal(_ r: VendorRecord) throws(AdapterError) -> LeadDraft { LeadDraft(phone: r.string("phone")) }
    func enrich(_ r: VendorRecord) throws(AdapterError) -> LeadDraft {
        throw AdapterError(.invalidRecord, "upstream table missing")
    }
}

/// An adapter whose enrichment fails for phones ending in 0 and works for the others.
struct PickyAdapter: VendorAdapter {
    func minimal(_ r: VendorRecord) throws(AdapterError) -> LeadDraft { LeadDraft(phone: r.string("phone")) }
    func enrich(_ r: VendorRecord) throws(AdapterError) -> LeadDraft {
        if r.string("phone")?.hasSuffix("0") == true { throw AdapterError(.invalidRecord, "phone ends in 0") }
        return LeadDraft(city: "Picked")
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ body: (Element) async throws -> T) async rethrows -> [T] {
        var out: [T] = []
        for e in self { out.append(try await body(e)) }
        return out
    }
}

/// A value shared with a `@Sendable` callback in a test.
final class Mutex2<T: Sendable>: @unchecked Sendable {
    // Guarded by `lock`; tests read it after the work is done.
    private var stored: T
    private let lock = NSLock()
    init(_ v: T) { stored = v }
    var value: T { lock.withLock { stored } }
    func append<E>(_ e: E) where T == [E] { lock.withLock { stored.append(e) } }
}

@Suite struct EventLogTests {
    let dir = TemporaryDirectory()

    @Test func deliveriesAndEnrichmentAreNumberedPerTenantImportsAreNot() async throws {
        let catalog = try IngestChannelsTests.shippedCatalog()
        let nextgen = try #require(catalog["nextgen"])
        let store = try SQLiteStore(path: dir.file("a.db"))
        let a = try await store.createTenant(name: "A")
        let b = try await store.createTenant(name: "B")
        let ingestor = Ingestor(store: store)
        #expect(try await store.latestSeq(tenantId: a.id) == 0)

        let first = try await ingestor.ingestDelivery(
            vendor: nextgen, record: VendorRecord(object: nextGenWebhook), tenantId: a.id, receivedAt: Date())
        var other = nextGenWebhook
        other["purchase_id"] = .string("01JTB000000000000000000AD2")
        other["product"] = .string("ad")
        _ = try await ingestor.ingestDelivery(
            vendor: nextgen, record: VendorRecord(object: other), tenantId: a.id, receivedAt: Date())
        _ = try await ingestor.ingestDelivery(
            vendor: nextgen, record: VendorRecord(object: nextGenWebhook), tenantId: b.id, receivedAt: Date())
        // A re-delivery that changes nothing sends nothing.
        let again = try await ingestor.ingestDelivery(
            vendor: nextgen, record: VendorRecord(object: nextGenWebhook), tenantId: a.id, receivedAt: Date())
        #expect(again.outcome == .unchanged)

        var events = try await store.events(tenantId: a.id, after: 0, limit: 10)
        #expect(events.map(\.seq) == [1, 2])
        #expect(events.map(\.type) == ["new_lead_notification", "new_lead_notification"])
        let data = try JSONValue.parse(events[0].payload)
        #expect(data["id"] == .string(first.lead.id))
        #expect(data["isNew"] == .bool(true))
        #expect(try JSONValue.parse(events[1].payload)["isNew"] == .bool(false))
        #expect(try await store.latestSeq(tenantId: b.id) == 1)

        // Enrichment adds one lead_enriched per job run, in the same numbering.
        let worker = EnrichmentWorker(store: store, catalog: catalog)
        #expect(try await worker.drainOnce() == 3)
        events = try await store.events(tenantId: a.id, after: 2, limit: 10)
        #expect(events.map(\.type) == ["lead_enriched", "lead_enriched"])
        #expect(events.map(\.seq) == [3, 4])

        // A CSV import does not add an event per row.
        _ = try await store.ingest(batch: [
            try Ingestor.prepare(
                vendor: nextgen, record: nextGenRow(["purchase_id": "01JTB00000000000000000CSV1"]), tenantId: a.id,
                enrich: true, receivedAt: Date())
        ])
        #expect(try await store.latestSeq(tenantId: a.id) == 4)
    }
}

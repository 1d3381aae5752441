import Foundation
import Synchronization
import Testing

@testable import Core

@Suite struct SQLiteStoreTests {
    let dir = TemporaryDirectory()
    let vendor = RecordAdapter.vendor()

    func item(_ tenant: String, _ members: [String: String], enrich: Bool = true) throws -> IngestItem {
        try Ingestor.prepare(vendor: vendor, record: .of(members), tenantId: tenant, enrich: enrich, receivedAt: Date())
    }

    @Test func opensInWALWithFullSync() async throws {
        let store = try SQLiteStore(path: dir.file("a.db"))
        let d = try await store.durability()
        #expect(d.journalMode == "wal")
        #expect(d.synchronous == 2)  // FULL
    }

    @Test func samePersonIsOneLeadAndReimportChangesNothing() async throws {
        let store = try SQLiteStore(path: dir.file("a.db"))
        let t = try await store.createTenant(name: "A")
        let rows = [
            [
                "id": "L1", "purchase": "P1", "product": "data", "price": "20", "phone": "555-201-3344",
                "city": "Austin",
            ],
            ["id": "L1", "purchase": "P2", "product": "ad", "price": "5", "phone": "5552013344"],
            ["id": "L2", "purchase": "P3", "phone": "(555) 201-3344", "email": "x@y.co"],
        ]
        let first = try await store.ingest(batch: rows.map { try item(t.id, $0) }).map { try $0.get() }
        #expect(first.map(\.outcome) == [.created, .updated, .updated])
        #expect(Set(first.map(\.leadId)).count == 1)
        let lead = try #require(try await store.lead(id: first[0].leadId, tenantId: t.id))
        #expect(lead.price == 25)
        #expect(lead.purchases.count == 3)
        #expect(lead.email == "x@y.co")
        #expect(lead.phone == "+15552013344")
        let again = try await store.ingest(batch: rows.map { try item(t.id, $0) }).map { try $0.get() }
        #expect(again.map(\.outcome) == [.unchanged, .unchanged, .unchanged])
        #expect(try await store.leadCount(tenantId: t.id) == 1)
    }

    @Test func tenantsNeverShareLeads() async throws {
        let store = try SQLiteStore(path: dir.file("a.db"))
        let a = try await store.createTenant(name: "A")
        let b = try await store.createTenant(name: "B")
        let ra = try await store.ingest(batch: [try item(a.id, ["id": "L1", "phone": "5552013344"])])[0].get()
        let rb = try await store.ingest(batch: [try item(b.id, ["id": "L1", "phone": "5552013344"])])[0].get()
        #expect(ra.outcome == .created)
        #expect(rb.outcome == .created)
        #expect(ra.leadId != rb.leadId)
        #expect(try await store.lead(id: ra.leadId, tenantId: b.id) == nil)
        #expect(try await store.lead(id: ra.leadId, tenantId: a.id)?.tenantId == a.id)
    }

    @Test func theTenantComesFromTheCallerNotTheAdapter() async throws {
        let store = try SQLiteStore(path: dir.file("a.db"))
        let a = try await store.createTenant(name: "A")
        let b = try await store.createTenant(name: "B")
        // The record asks for tenant B and sets core-owned timestamps; the core overrules it.
        let r = try await store.ingest(
            try item(a.id, ["id": "L9", "phone": "5552013344", "tenantId": b.id, "createdAt": "1999-01-01T00:00:00Z"]))
        #expect(r.lead.tenantId == a.id)
        #expect(r.lead.fields["tenantId"] == nil)
        #expect(r.lead.fields["createdAt"] == nil)
        #expect(r.lead.warnings.contains { $0.code == .reservedField && $0.field == "tenantId" })
        #expect(try await store.leadCount(tenantId: b.id) == 0)
        let stored = try #require(try await store.lead(id: r.lead.id, tenantId: a.id))
        #expect(stored.tenantId == a.id)
        #expect(stored.createdAt > Date(timeIntervalSince1970: 1_000_000_000))
    }

    @Test func uniqueIndexesRefuseATwin() async throws {
        let path = dir.file("a.db")
        let store = try SQLiteStore(path: path)
        let t = try await store.createTenant(name: "A")
        let lead = try await store.ingest(try item(t.id, ["id": "L1", "phone": "5552013344", "email": "a@b.co"])).lead
        let db = try SQLiteConnection(path: path)
        db.setBusyTimeout(milliseconds: 5000)
        for (column, value) in [("phone", "+15552013344"), ("email", "a@b.co")] {
            let sql = """
                INSERT INTO leads (id, tenant_id, source, \(column), created_at, received_at, updated_at,
                enrichment_status, status, disposition, doc) VALUES ('ld_twin', ?, 'acme', ?, 0, 0, 0, 'done', 'New', 'New Lead', '{}')
                """
            #expect(throws: SQLiteError.self) { try db.prepare(sql).bind(1, t.id).bind(2, value).run() }
        }
        #expect(throws: SQLiteError.self) {
            try db.prepare(
                "INSERT INTO lead_keys (tenant_id, vendor, vendor_lead_id, lead_id) VALUES (?, 'acme', 'L1', 'ld_x')"
            )
            .bind(1, t.id).run()
        }
        #expect(lead.phone == "+15552013344")
    }

    @Test func minimalWritesQueueAnEnrichmentJobInTheSameTransaction() async throws {
        let path = dir.file("a.db")
        let store = try SQLiteStore(path: path)
        let t = try await store.createTenant(name: "A")
        let r = try await store.ingest(
            try item(t.id, ["id": "L1", "phone": "5552013344", "city": "Austin"], enrich: false))
        #expect(r.outcome == .created)
        #expect(r.lead.enrichment.status == .pending)
        #expect(r.lead.city == nil)
        let db = try SQLiteConnection(path: path)
        #expect(
            try db.prepare("SELECT count(*) FROM enrichment_jobs WHERE lead_id = ?").bind(1, r.lead.id).oneInt() == 1)
        #expect(
            try db.prepare("SELECT record FROM purchases WHERE lead_id = ?").bind(1, r.lead.id).oneText()?.contains(
                "Austin") == true)
    }

    @Test func concurrentSingleWritesShareCommitsAndNeverMakeTwins() async throws {
        let store = try SQLiteStore(path: dir.file("a.db"))
        let t = try await store.createTenant(name: "A")
        let items = try (0..<200).map { i in
            try item(
                t.id, ["purchase": "P\(i % 50)", "phone": "55520\(String(format: "%05d", i % 50))"], enrich: false)
        }
        let outcomes = try await withThrowingTaskGroup(of: IngestResult.self) { group in
            for it in items { group.addTask { try await store.ingest(it) } }
            return try await group.reduce(into: [IngestResult]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0.outcome == .created }.count == 50)
        #expect(Set(outcomes.map(\.lead.id)).count == 50)
        #expect(try await store.leadCount(tenantId: t.id) == 50)
    }

    /// A failing item in a fresh transaction fails alone; a failing batch of an import
    /// whose transaction is open (no savepoint there) rolls back to the import's last
    /// commit and throws — what was committed stays.
    @Test func aFailingItemFailsAloneAndAFailingOpenImportBatchRollsBackToItsLastCommit() async throws {
        let path = dir.file("a.db")
        let store = try SQLiteStore(path: path)
        let t = try await store.createTenant(name: "A")
        let db = try SQLiteConnection(path: path)
        db.setBusyTimeout(milliseconds: 5000)
        try db.execute(
            """
            CREATE TRIGGER poison BEFORE INSERT ON leads WHEN NEW.phone = '+15550000000'
            BEGIN SELECT RAISE(FAIL, 'poisoned row'); END
            """)
        let poison = try item(t.id, ["purchase": "X", "phone": "5550000000"])
        func rows(_ range: Range<Int>) throws -> [IngestItem] {
            try range.map { try item(t.id, ["purchase": "P\($0)", "phone": "55520\(String(format: "%05d", $0))"]) }
        }

        let alone = try await store.ingest(batch: try rows(0..<3) + [poison] + rows(3..<5), commit: true)
        #expect(alone.map { (try? $0.get()) == nil } == [false, false, false, true, false, false])
        #expect(try await store.leadCount(tenantId: t.id) == 5)

        _ = try await store.ingest(batch: try rows(5..<10), commit: false, importId: "im_a")
        await #expect(throws: StoreError.self) {
            _ = try await store.ingest(batch: try rows(10..<12) + [poison], commit: false, importId: "im_a")
        }
        #expect(try await store.leadCount(tenantId: t.id) == 5)
        // The store carries on with the next import.
        _ = try await store.ingest(batch: try rows(5..<12), commit: true, importId: "im_b")
        #expect(try await store.leadCount(tenantId: t.id) == 12)

        // Two imports in one open transaction: a failure of either fails its item alone,
        // and neither loses the other's rows.
        _ = try await store.ingest(batch: try rows(20..<22), commit: false, importId: "im_c")
        let other = try await store.ingest(batch: try rows(30..<32) + [poison], commit: false, importId: "im_d")
        #expect(other.map { (try? $0.get()) == nil } == [false, false, true])
        let own = try await store.ingest(batch: try rows(22..<24) + [poison], commit: false, importId: "im_c")
        #expect(own.map { (try? $0.get()) == nil } == [false, false, true])
        try await store.commit()
        #expect(try await store.leadCount(tenantId: t.id) == 18)
    }

    /// A delivery authenticated from a cached credential is refused inside the write
    /// transaction once the credential is revoked, and stores nothing.
    @Test func aDeliveryWithARevokedCredentialIsRefusedInItsTransaction() async throws {
        let store = try SQLiteStore(path: dir.file("a.db"))
        let t = try await store.createTenant(name: "A")
        let c = try await store.createCredential(tenantId: t.id, vendor: "acme", sid: "sid1", secretHash: "h")
        var ok = try item(t.id, ["purchase": "P1", "phone": "5552013344"], enrich: false)
        ok.credentialId = c.id
        #expect(try await store.ingest(ok).outcome == .created)
        #expect(try await store.revokeCredential(vendor: "acme", id: c.id))
        var late = try item(t.id, ["purchase": "P2", "phone": "5552013355"], enrich: false)
        late.credentialId = c.id
        await #expect(throws: StoreError.self) { try await store.ingest(late) }
        #expect(try await store.leadCount(tenantId: t.id) == 1)
    }

    /// A long-running host commits millions of times. The event observer once grew two
    /// reabstraction thunks per call (a bare closure in a `Mutex`): every call walked all
    /// earlier ones, and a few hundred thousand calls overflowed the writer's stack.
    @Test func theEventObserverCostsTheSameOnTheMillionthCommit() async throws {
        _ = try SQLiteStore(path: dir.file("a.db"))
        let db = try SQLiteConnection(path: dir.file("a.db"))
        let writer = LeadWriter(db: db)
        let seen = Mutex(0)
        writer.eventObserver.withLock {
            $0 = LeadWriter.EventObserver { events in seen.withLock { $0 += events.count } }
        }
        try db.execute("BEGIN")
        try writer.beginTransaction()
        let calls = 100_000
        for _ in 0..<calls {
            try writer.appendEvent(tenantId: "t", type: "ping", payload: "{}", receivedAt: Date(), now: Date())
            writer.committed()
        }
        try db.execute("ROLLBACK")
        #expect(seen.withLock { $0 } == calls)
    }
}

import Foundation

/// The write transaction script of ingest: resolve identity, merge, write lead,
/// purchase, lead key and enrichment job. Runs on the writer thread, inside a
/// transaction the caller opened; every read here sees the writer's own lock, so two
/// writers can never both decide a lead is new (the unique indexes back this up).
///
/// Keeps recently written leads in memory so a file's `ad` row finds its `data` row's
/// lead without decoding it again; the cache is dropped whenever another connection
/// has committed (`PRAGMA data_version`).
///
/// `@unchecked Sendable`: it is handed to the writer thread's closures but only ever
/// used on that one thread, like the connection it wraps.
final class LeadWriter: @unchecked Sendable {
    private let db: SQLiteConnection
    private var cache: [String: Lead] = [:]
    /// Small on purpose: it serves the purchases of one person that follow each other in
    /// a file (NextGen's ad + data rows); everything else is a cheap indexed read.
    private let cacheLimit = 2048
    private var namesIds: [String: Int64] = [:]
    private var dataVersion: Int64 = -1

    init(db: SQLiteConnection) {
        self.db = db
    }

    /// Call at the start of every transaction.
    func beginTransaction() throws {
        let v = try db.prepare("PRAGMA data_version").oneInt() ?? 0
        if v != dataVersion {
            cache.removeAll(keepingCapacity: true)
            namesIds.removeAll()
            dataVersion = v
        }
    }

    /// Call when a transaction rolled back: cached leads may hold unwritten state.
    func rolledBack() {
        cache.removeAll(keepingCapacity: true)
        namesIds.removeAll()
    }

    /// Stores one purchase. `now` stamps `updatedAt` (and `receivedAt` of new leads).
    func apply(_ item: IngestItem, now: Date) throws -> IngestResult {
        let d = item.draft
        guard let purchaseKey = d.purchaseKey else {
            throw StoreError(.invalidInput, "a purchase needs a vendor lead id, a phone or an email")
        }
        let nowMs = RFC3339.millis(now)
        let namesId = try recordNamesId(item.record.names)

        // 1. This exact purchase seen before?
        let findPurchase = try db.prepare(
            "SELECT lead_id, names_id, record FROM purchases WHERE tenant_id = ? AND vendor = ? AND purchase_key = ?")
        findPurchase.bind(1, item.tenantId).bind(2, item.vendor).bind(3, purchaseKey)
        var leadId: String?
        var recordChanged = true
        var purchaseIsNew = true
        if try findPurchase.step() {
            leadId = findPurchase.text(0)
            recordChanged = findPurchase.int(1) != namesId || findPurchase.text(2) != item.recordValues
            purchaseIsNew = false
        }
        findPurchase.reset()

        // 2. Identity: (vendor, vendor lead id), else phone, else email — one statement.
        let identity = try db.prepare(
            """
            SELECT (SELECT lead_id FROM lead_keys WHERE tenant_id = ?1 AND vendor = ?2 AND vendor_lead_id = ?3),
                   (SELECT id FROM leads WHERE tenant_id = ?1 AND phone = ?4),
                   (SELECT id FROM leads WHERE tenant_id = ?1 AND email = ?5)
            """)
        identity.bind(1, item.tenantId).bind(2, item.vendor).bind(3, d.vendorLeadId).bind(4, d.phone).bind(5, d.email)
        _ = try identity.step()
        let keyLead = identity.text(0)
        let phoneLead = identity.text(1)
        let emailLead = identity.text(2)
        identity.reset()
        let keyIsNew = d.vendorLeadId != nil && keyLead == nil
        if leadId == nil { leadId = keyLead ?? phoneLead ?? emailLead }
        var conflicts = LeadMerger.Conflicts()
        if let phoneLead, phoneLead != leadId { conflicts.phoneTaken = true }
        if let emailLead, emailLead != leadId { conflicts.emailTaken = true }

        // 3. Load or create, then merge.
        var lead: Lead
        let isNew: Bool
        if let id = leadId, let existing = try load(id: id, tenantId: item.tenantId) {
            lead = existing
            isNew = false
        } else {
            lead = Lead(
                id: Identifier.make("ld", millis: nowMs), tenantId: item.tenantId, source: item.vendor,
                receivedAt: item.receivedAt)
            lead.assignedTo = item.assignedTo
            isNew = true
        }
        let before = lead
        let purchase = Lead.Purchase(
            key: purchaseKey, purchaseId: d.draft.purchaseId, vendor: item.vendor, product: d.draft.product,
            price: d.draft.price, purchasedAt: d.draft.purchasedAt, receivedAt: item.receivedAt)
        LeadMerger.merge(d, purchase: purchase, into: &lead, conflicts: conflicts)

        if !isNew && !recordChanged && lead == before {
            return IngestResult(outcome: .unchanged, lead: lead)
        }

        // 4. Enrichment state: inline-enriched purchases complete it unless a job is waiting.
        if item.enriched {
            let waiting =
                isNew ? nil : try lookup("SELECT lead_id FROM enrichment_jobs WHERE lead_id = ? LIMIT 1", lead.id)
            if waiting == nil {
                lead.enrichment.status = .done
                lead.enrichment.lastError = nil
                lead.enrichedAt = now
            }
        } else {
            lead.enrichment.status = .pending
            lead.enrichedAt = nil
        }
        lead.updatedAt = now

        // 5. Write.
        let write = try db.prepare(isNew ? LeadRows.insertSQL : LeadRows.updateSQL)
        LeadRows.bind(lead, to: write)
        try write.run()
        if purchaseIsNew {
            try db.prepare(
                """
                INSERT INTO purchases (tenant_id, vendor, purchase_key, lead_id, received_at, names_id, record)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
            ).bind(1, item.tenantId).bind(2, item.vendor).bind(3, purchaseKey).bind(4, lead.id)
                .bind(5, RFC3339.millis(item.receivedAt)).bind(6, namesId).bind(7, item.recordValues).run()
        } else if recordChanged {
            try db.prepare(
                "UPDATE purchases SET names_id = ?, record = ? WHERE tenant_id = ? AND vendor = ? AND purchase_key = ?"
            ).bind(1, namesId).bind(2, item.recordValues).bind(3, item.tenantId).bind(4, item.vendor)
                .bind(5, purchaseKey).run()
        }
        if keyIsNew, let vlid = d.vendorLeadId {
            try db.prepare("INSERT INTO lead_keys (tenant_id, vendor, vendor_lead_id, lead_id) VALUES (?, ?, ?, ?)")
                .bind(1, item.tenantId).bind(2, item.vendor).bind(3, vlid).bind(4, lead.id).run()
        }
        if !item.enriched {
            try db.prepare(
                """
                INSERT INTO enrichment_jobs (tenant_id, lead_id, vendor, purchase_key, state, attempts, run_after, created_at)
                VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)
                """
            ).bind(1, item.tenantId).bind(2, lead.id).bind(3, item.vendor).bind(4, purchaseKey)
                .bind(5, nowMs).bind(6, nowMs).run()
        }
        remember(lead)
        return IngestResult(outcome: isNew ? .created : .updated, lead: lead)
    }

    /// The lead with `id` in `tenantId`, from the cache or the database.
    func load(id: String, tenantId: String) throws -> Lead? {
        if let cached = cache[id], cached.tenantId == tenantId { return cached }
        let s = try db.prepare("SELECT \(LeadRows.columns) FROM leads WHERE id = ? AND tenant_id = ?")
        s.bind(1, id).bind(2, tenantId)
        defer { s.reset() }
        guard try s.step() else { return nil }
        let lead = try LeadRows.read(s)
        remember(lead)
        return lead
    }

    /// The id of a record name list, created on first use and cached.
    private func recordNamesId(_ names: FieldNames) throws -> Int64 {
        if let id = namesIds[names.json] { return id }
        try db.prepare("INSERT INTO record_names (names) VALUES (?) ON CONFLICT (names) DO NOTHING").bind(1, names.json)
            .run()
        guard let id = try db.prepare("SELECT id FROM record_names WHERE names = ?").bind(1, names.json).oneInt() else {
            throw StoreError(.unavailable, "record names could not be stored")
        }
        namesIds[names.json] = id
        return id
    }

    private func remember(_ lead: Lead) {
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[lead.id] = lead
    }

    private func lookup(_ sql: String, _ a: String, _ b: String? = nil) throws -> String? {
        let s = try db.prepare(sql).bind(1, a)
        if let b { s.bind(2, b) }
        return try s.oneText()
    }
}

import Foundation
import Synchronization

/// The write transaction script of ingest: resolve identity, merge, write lead,
/// purchase, lead key and enrichment job. Runs on the writer thread, inside a
/// transaction the caller opened; every read here sees the writer's own lock, so two
/// writers can never both decide a lead is new (the unique indexes back this up).
///
/// Keeps recently written leads in memory so a file's `ad` row finds its `data` row's
/// lead without reading it back; the cache is dropped whenever another connection has
/// committed (`PRAGMA data_version`).
///
/// `@unchecked Sendable`: it is handed to the writer thread's closures but only ever
/// used on that one thread, like the connection it wraps.
///
/// Writes use `OR FAIL`: SQLite then needs no statement journal per statement. A
/// failure still undoes everything — the caller rolls back the transaction (or the
/// item's savepoint) on any error.
final class LeadWriter: @unchecked Sendable {
    private let db: SQLiteConnection
    /// Two generations: when `recent` is full it becomes `older`, so a lead touched a
    /// moment ago survives the turnover. Small on purpose — it serves the purchases of
    /// one person that sit close together in a file; anything else is an indexed read.
    private var recent: [String: Lead] = [:]
    private var older: [String: Lead] = [:]
    private let generationSize = 1024
    private var namesIds: [String: Int64] = [:]
    private var lastNames: (names: FieldNames, id: Int64)?
    private var dataVersion: Int64 = -1
    /// Events the open transaction appended, in order; handed to the observer after the
    /// commit (so the host can broadcast them without reading them back).
    private(set) var pendingEvents: [CommittedEvent] = []
    /// The import whose batches alone fill the open transaction (see
    /// `SQLiteStore.applyAll`); nil when none or shared. Reset by every BEGIN.
    var transactionOwner: String?

    init(db: SQLiteConnection) {
        self.db = db
    }

    /// Call at the start of every transaction.
    func beginTransaction() throws {
        pendingEvents.removeAll(keepingCapacity: true)
        transactionOwner = nil
        let v = try db.prepare("PRAGMA data_version").oneInt() ?? 0
        if v != dataVersion {
            forget()
            dataVersion = v
        }
    }

    /// Told after a commit that stored events, with those events in `seq` order.
    ///
    /// The closure sits in a struct: a bare function type inside `Mutex` is reabstracted
    /// on every `withLock` (the generic storage and the closure's `inout` disagree), and
    /// each access wrapped the stored closure in two more thunks — after an hour of
    /// webhooks one call ran through hundreds of thousands of them.
    let eventObserver = Mutex<EventObserver?>(nil)

    struct EventObserver: Sendable {
        let call: @Sendable ([CommittedEvent]) -> Void
    }

    /// Call after every commit.
    func committed() {
        guard !pendingEvents.isEmpty else { return }
        let events = pendingEvents
        pendingEvents.removeAll(keepingCapacity: true)
        eventObserver.withLock { $0 }?.call(events)
    }

    /// Call when a transaction or savepoint rolled back: cached state may be unwritten,
    /// and the events appended after `eventMark` (all of them for a whole transaction)
    /// were never stored.
    func rolledBack(eventMark: Int = 0) {
        forget()
        if eventMark < pendingEvents.count { pendingEvents.removeSubrange(eventMark...) }
    }

    private func forget() {
        recent.removeAll(keepingCapacity: true)
        older.removeAll(keepingCapacity: true)
        namesIds.removeAll()
        lastNames = nil
    }

    private static let resolveSQL = """
        SELECT p.lead_id, p.names_id = ?4 AND p.record_hash = ?5,
               (SELECT lead_id FROM lead_keys WHERE tenant_id = ?1 AND vendor = ?2 AND vendor_lead_id = ?6),
               (SELECT id FROM leads WHERE tenant_id = ?1 AND phone = ?7),
               (SELECT id FROM leads WHERE tenant_id = ?1 AND email = ?8)
        FROM (SELECT 1) LEFT JOIN purchases p ON p.tenant_id = ?1 AND p.vendor = ?2 AND p.purchase_key = ?3
        """

    /// Stores one purchase. `now` stamps `updatedAt` (and `enrichedAt` when enriched).
    func apply(_ item: IngestItem, now: Date) throws -> IngestResult {
        if let credentialId = item.credentialId {
            let c = try db.prepare("SELECT 1 FROM credentials WHERE id = ? AND tenant_id = ? AND revoked_at IS NULL")
            c.bind(1, credentialId).bind(2, item.tenantId)
            defer { c.reset() }
            guard try c.step() else { throw StoreError(.unauthorized, "the credential was revoked") }
        }
        let purchaseKey = item.purchaseKey
        let namesId = try recordNamesId(item.names)

        // 1. One statement answers every identity question: this purchase seen before
        //    (and with the same record?), else (vendor, vendor lead id), phone, email.
        let r = try db.prepare(LeadWriter.resolveSQL)
        r.bind(1, item.tenantId).bind(2, item.vendor).bind(3, purchaseKey).bind(4, namesId)
        r.bind(5, item.recordHash).bind(6, item.vendorLeadId).bind(7, item.phone).bind(8, item.email)
        _ = try r.step()
        let purchaseLead = r.text(0)
        let recordSame = r.optionalInt(1) == 1
        let keyLead = r.text(2)
        let phoneLead = r.text(3)
        let emailLead = r.text(4)
        r.reset()

        let leadId = purchaseLead ?? keyLead ?? phoneLead ?? emailLead
        var conflicts = LeadMerger.Conflicts()
        if let phoneLead, phoneLead != leadId { conflicts.phoneTaken = true }
        if let emailLead, emailLead != leadId { conflicts.emailTaken = true }

        // 2. The lead: a new one was already built by the caller's thread; an existing
        //    one is merged here.
        var lead: Lead
        var doc: String?
        let isNew: Bool
        var keysChanged = true
        if let id = leadId, let existing = try load(id: id, tenantId: item.tenantId) {
            lead = existing
            let before = lead
            LeadMerger.merge(item.draft, purchase: item.purchase, into: &lead, conflicts: conflicts)
            if recordSame && lead == before {
                try addToInbox(item, outcome: .unchanged, leadId: lead.id)
                return IngestResult(outcome: .unchanged, lead: lead)
            }
            isNew = false
            keysChanged = lead.phone != before.phone || lead.email != before.email || lead.createdAt != before.createdAt
        } else {
            lead = item.fresh
            doc = item.freshDoc
            isNew = true
        }

        // 3. Enrichment state: inline-enriched purchases complete it unless a job waits.
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

        // 4. Write.
        let write = try db.prepare(
            isNew ? LeadRows.insertSQL : keysChanged ? LeadRows.updateSQL : LeadRows.updateKeepingKeysSQL)
        LeadRows.bind(lead, doc: doc, to: write)
        try write.run()
        // Deferred (webhook) purchases keep their record: enrichment runs from it.
        let record = item.enriched ? nil : item.recordValues
        if purchaseLead == nil {
            try db.prepare(
                """
                INSERT OR FAIL INTO purchases
                (tenant_id, vendor, purchase_key, lead_id, received_at, record_hash, names_id, record)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
            ).bind(1, item.tenantId).bind(2, item.vendor).bind(3, purchaseKey).bind(4, lead.id)
                .bind(5, RFC3339.millis(item.receivedAt)).bind(6, item.recordHash).bind(7, namesId).bind(8, record)
                .run()
        } else if !recordSame {
            try db.prepare(
                """
                UPDATE OR FAIL purchases SET record_hash = ?, names_id = ?, record = coalesce(?, record)
                WHERE tenant_id = ? AND vendor = ? AND purchase_key = ?
                """
            ).bind(1, item.recordHash).bind(2, namesId).bind(3, record).bind(4, item.tenantId).bind(5, item.vendor)
                .bind(6, purchaseKey).run()
        }
        if keyLead == nil, let vlid = item.vendorLeadId {
            try db.prepare(
                "INSERT OR FAIL INTO lead_keys (tenant_id, vendor, vendor_lead_id, lead_id) VALUES (?, ?, ?, ?)"
            )
            .bind(1, item.tenantId).bind(2, item.vendor).bind(3, vlid).bind(4, lead.id).run()
        }
        if !item.enriched {
            let nowMs = RFC3339.millis(now)
            try db.prepare(
                """
                INSERT OR FAIL INTO enrichment_jobs (tenant_id, lead_id, vendor, purchase_key, state, attempts, run_after, created_at)
                VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)
                """
            ).bind(1, item.tenantId).bind(2, lead.id).bind(3, item.vendor).bind(4, purchaseKey)
                .bind(5, nowMs).bind(6, nowMs).run()
        }
        remember(lead)
        let outcome: IngestResult.Outcome = isNew ? .created : .updated
        try addToInbox(item, outcome: outcome, leadId: lead.id)
        // Single deliveries announce themselves; imports send progress and a summary instead.
        if !item.enriched {
            var w = JSONWriter(capacity: 2048)
            w.beginObject()
            lead.writeMembers(to: &w)
            w.key("isNew")
            w.value(isNew)
            w.endObject()
            try appendEvent(
                tenantId: item.tenantId, type: "new_lead_notification", payload: w.string, receivedAt: item.receivedAt,
                now: now)
        }
        return IngestResult(outcome: outcome, lead: lead)
    }

    /// Stores an event with the tenant's next `seq`, in the caller's transaction (the
    /// write lock makes the numbering race-free across processes).
    @discardableResult
    func appendEvent(tenantId: String, type: String, payload: String, receivedAt: Date, now: Date) throws -> Int64 {
        let seq =
            (try db.prepare("SELECT max(seq) FROM events WHERE tenant_id = ?").bind(1, tenantId).oneInt() ?? 0) + 1
        try db.prepare(
            """
            INSERT OR FAIL INTO events (tenant_id, seq, type, payload, received_at, committed_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """
        ).bind(1, tenantId).bind(2, seq).bind(3, type).bind(4, payload).bind(5, RFC3339.millis(receivedAt))
            .bind(6, RFC3339.millis(now)).run()
        pendingEvents.append(
            CommittedEvent(
                tenantId: tenantId,
                event: StoredEvent(seq: seq, type: type, payload: payload, receivedAt: receivedAt, committedAt: now)))
        return seq
    }

    /// Keeps the raw delivery of a webhook purchase, in the purchase's transaction.
    private func addToInbox(_ item: IngestItem, outcome: IngestResult.Outcome, leadId: String) throws {
        guard let e = item.inbox else { return }
        try db.prepare(
            """
            INSERT OR FAIL INTO inbox (tenant_id, vendor, channel, received_at, headers, body, path, outcome, detail)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        ).bind(1, item.tenantId).bind(2, e.vendor).bind(3, e.channel.rawValue).bind(4, RFC3339.millis(e.receivedAt))
            .bind(5, e.storedHeaders).bind(6, e.body).bind(7, e.path).bind(8, outcome.rawValue).bind(9, leadId).run()
    }

    /// The lead with `id` in `tenantId`, from the cache or the database.
    func load(id: String, tenantId: String) throws -> Lead? {
        if let cached = recent[id] ?? older[id], cached.tenantId == tenantId { return cached }
        let s = try db.prepare("SELECT \(LeadRows.columns) FROM leads WHERE id = ? AND tenant_id = ?")
        s.bind(1, id).bind(2, tenantId)
        defer { s.reset() }
        guard try s.step() else { return nil }
        let lead = try LeadRows.read(s)
        remember(lead)
        return lead
    }

    func remember(_ lead: Lead) {
        if recent.count >= generationSize {
            older = recent
            recent = [:]
            recent.reserveCapacity(generationSize)
        }
        recent[lead.id] = lead
    }

    /// The id of a record name list, created on first use and cached.
    private func recordNamesId(_ names: FieldNames) throws -> Int64 {
        // Every row of a file shares one name list: skip hashing its JSON for each row.
        if let last = lastNames, last.names === names { return last.id }
        let id = try storedNamesId(names)
        lastNames = (names, id)
        return id
    }

    private func storedNamesId(_ names: FieldNames) throws -> Int64 {
        if let id = namesIds[names.json] { return id }
        try db.prepare("INSERT INTO record_names (names) VALUES (?) ON CONFLICT (names) DO NOTHING").bind(
            1, names.json
        ).run()
        guard let id = try db.prepare("SELECT id FROM record_names WHERE names = ?").bind(1, names.json).oneInt() else {
            throw StoreError(.unavailable, "record names could not be stored")
        }
        namesIds[names.json] = id
        return id
    }

    private func lookup(_ sql: String, _ a: String) throws -> String? {
        try db.prepare(sql).bind(1, a).oneText()
    }
}

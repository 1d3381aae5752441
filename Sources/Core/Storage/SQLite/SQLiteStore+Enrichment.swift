public import Foundation

extension SQLiteStore: EnrichmentStore {
    public func dueEnrichmentJobs(limit: Int, now: Date) async throws -> [EnrichmentJob] {
        try await read { db in
            let s = try db.prepare(
                """
                SELECT id, tenant_id, lead_id, vendor, purchase_key, attempts FROM enrichment_jobs
                WHERE state = 'pending' AND run_after <= ? ORDER BY run_after, id LIMIT ?
                """)
            s.bind(1, RFC3339.millis(now)).bind(2, limit)
            defer { s.reset() }
            var jobs: [EnrichmentJob] = []
            while try s.step() {
                jobs.append(
                    EnrichmentJob(
                        id: s.int(0), tenantId: s.text(1) ?? "", leadId: s.text(2) ?? "", vendor: s.text(3) ?? "",
                        purchaseKey: s.text(4) ?? "", attempts: Int(s.int(5))))
            }
            return jobs
        }
    }

    public func completeEnrichment(
        _ jobs: [EnrichmentJob], enrich: @escaping EnrichmentFunction
    ) async throws -> [Result<Lead?, any Error>] {
        let lw = leadWriter
        return try await write { db in
            try jobs.map { job in try SQLiteStore.complete(job, db, lw, enrich) }
        }
    }

    /// One job inside the open transaction. Everything that can fail for this job alone
    /// (a damaged record, the adapter throwing) happens before its first write, so such
    /// a failure is returned and leaves nothing half-written; a write that fails throws
    /// and rolls the whole transaction back.
    private static func complete(
        _ job: EnrichmentJob, _ db: SQLiteConnection, _ lw: LeadWriter, _ enrich: EnrichmentFunction
    ) throws -> Result<Lead?, any Error> {
        guard try db.prepare("SELECT 1 FROM enrichment_jobs WHERE id = ?").bind(1, job.id).oneInt() != nil,
            var lead = try lw.load(id: job.leadId, tenantId: job.tenantId)
        else { return .success(nil) }
        let s = try db.prepare(
            """
            SELECT n.names, p.record, p.received_at FROM purchases p JOIN record_names n ON n.id = p.names_id
            WHERE p.tenant_id = ? AND p.vendor = ? AND p.purchase_key = ?
            """)
        s.bind(1, job.tenantId).bind(2, job.vendor).bind(3, job.purchaseKey)
        guard try s.step(), let namesText = s.text(0), let valuesText = s.text(1) else {
            s.reset()
            return .success(nil)
        }
        let receivedAt = RFC3339.date(millis: s.int(2))
        s.reset()
        let draft: NormalizedDraft
        do {
            guard case .array(let nameValues) = try JSONParser.parse(namesText),
                case .array(let values) = try JSONParser.parse(valuesText), nameValues.count == values.count
            else { throw StoreError(.unavailable, "the stored record of a purchase is damaged") }
            let record = VendorRecord(names: FieldNames(nameValues.map { $0.text ?? "" }), values: values)
            draft = try enrich(job.vendor, record)
        } catch {
            return .failure(error)
        }

        let existing = lead.purchases.first { $0.key == job.purchaseKey && $0.vendor == job.vendor }
        let purchase = Lead.Purchase(
            key: job.purchaseKey, purchaseId: draft.draft.purchaseId, vendor: job.vendor,
            product: draft.draft.product, price: draft.draft.price, purchasedAt: draft.draft.purchasedAt,
            receivedAt: existing?.receivedAt ?? receivedAt)
        LeadMerger.merge(draft, purchase: purchase, into: &lead)
        try db.prepare("DELETE FROM enrichment_jobs WHERE id = ?").bind(1, job.id).run()
        let waiting =
            try db.prepare("SELECT count(*) FROM enrichment_jobs WHERE lead_id = ?").bind(1, lead.id)
            .oneInt() ?? 0
        let now = Date()
        if waiting == 0 {
            lead.enrichment = Lead.Enrichment(status: .done, attempts: job.attempts + 1, lastError: nil)
            lead.enrichedAt = now
        }
        lead.updatedAt = now
        let w = try db.prepare(LeadRows.updateSQL)
        LeadRows.bind(lead, to: w)
        try w.run()
        lw.remember(lead)
        try lw.appendEvent(
            tenantId: lead.tenantId, type: "lead_enriched", payload: lead.json, receivedAt: now, now: now)
        return .success(lead)
    }

    public func failEnrichment(_ job: EnrichmentJob, error: String, retryAt: Date?) async throws {
        let lw = leadWriter
        try await write { db in
            let attempts = job.attempts + 1
            if let retryAt {
                try db.prepare("UPDATE enrichment_jobs SET attempts = ?, run_after = ?, last_error = ? WHERE id = ?")
                    .bind(1, attempts).bind(2, RFC3339.millis(retryAt)).bind(3, error).bind(4, job.id).run()
            } else {
                try db.prepare("UPDATE enrichment_jobs SET attempts = ?, state = 'parked', last_error = ? WHERE id = ?")
                    .bind(1, attempts).bind(2, error).bind(3, job.id).run()
            }
            guard var lead = try lw.load(id: job.leadId, tenantId: job.tenantId) else { return }
            lead.enrichment = Lead.Enrichment(
                status: retryAt == nil ? .failed : .pending, attempts: attempts, lastError: error)
            let w = try db.prepare(LeadRows.updateSQL)
            LeadRows.bind(lead, to: w)
            try w.run()
            lw.remember(lead)
        }
    }

    public func retryParkedJobs(leadId: String?) async throws -> Int {
        let now = RFC3339.millis(Date())
        return try await write { db in
            let s = try db.prepare(
                """
                UPDATE enrichment_jobs SET state = 'pending', run_after = ?
                WHERE state = 'parked' AND (?2 IS NULL OR lead_id = ?2)
                """)
            s.bind(1, now).bind(2, leadId)
            try s.run()
            return db.changes
        }
    }
}

extension SQLiteStore {
    /// Jobs waiting (pending or parked), for the metrics gauge.
    public func enrichmentQueueDepth() async throws -> Int {
        try await read { db in Int(try db.prepare("SELECT count(*) FROM enrichment_jobs").oneInt() ?? 0) }
    }
}

public import Foundation

/// A deferred enrichment: run the vendor adapter's `enrich` on one stored purchase and
/// merge the result into its lead. Written in the same transaction as the lead, so it
/// cannot be lost; removed in the same transaction as the enriched lead is written.
public struct EnrichmentJob: Sendable, Hashable {
    public var id: Int64
    public var tenantId: String
    public var leadId: String
    public var vendor: String
    public var purchaseKey: String
    /// Failed runs so far.
    public var attempts: Int

    public init(id: Int64, tenantId: String, leadId: String, vendor: String, purchaseKey: String, attempts: Int) {
        self.id = id
        self.tenantId = tenantId
        self.leadId = leadId
        self.vendor = vendor
        self.purchaseKey = purchaseKey
        self.attempts = attempts
    }
}

/// Runs the adapter for a job: the stored record in, the normalised draft out.
public typealias EnrichmentFunction = @Sendable (_ vendor: String, _ record: VendorRecord) throws -> NormalizedDraft

/// What the store offers the enrichment workers.
public protocol EnrichmentStore: Sendable {
    /// Pending jobs whose time has come, oldest first.
    func dueEnrichmentJobs(limit: Int, now: Date) async throws -> [EnrichmentJob]
    /// Runs `enrich` on each job's stored purchase and merges the result into its lead,
    /// marks the lead enriched when no other job waits, and deletes the job — all jobs in
    /// one transaction (one commit for the lot, so a burst of webhooks does not cost a
    /// second fsync each). Results are in job order: the lead as stored; nil when the job
    /// or its lead no longer exists; or what `enrich` threw (that job is left as it was,
    /// the others still complete). Throws only when the store fails, and then no job
    /// completed.
    func completeEnrichment(
        _ jobs: [EnrichmentJob], enrich: @escaping EnrichmentFunction
    ) async throws -> [Result<Lead?, any Error>]
    /// Records a failed run: retried at `retryAt`, or parked (visible on the lead,
    /// re-runnable with `sluice jobs retry`) when `retryAt` is nil.
    func failEnrichment(_ job: EnrichmentJob, error: String, retryAt: Date?) async throws
    /// Puts parked jobs back in the queue (all, or one lead's); returns how many.
    func retryParkedJobs(leadId: String?) async throws -> Int
}

public import Foundation

/// Runs deferred enrichment jobs: the durable second half of every webhook.
///
/// A job is taken from the store, the vendor's adapter enriches the stored record, and
/// the store writes the enriched lead and deletes the job in one transaction. A failed
/// run is retried with exponential backoff and full jitter, then parked with its error
/// visible on the lead (`sluice jobs retry` re-queues it). Jobs survive restarts: a new
/// worker simply finds them pending. Running a job twice gives the same lead.
///
/// A service: `run()` loops until its task is cancelled; `wake()` (after a webhook)
/// starts the next round at once instead of at the next poll.
public final class EnrichmentWorker: Sendable {
    public struct Policy: Sendable {
        /// Runs before a job is parked.
        public var maxAttempts = 6
        public var baseDelay: Duration = .seconds(1)
        public var maxDelay: Duration = .seconds(300)
        /// How often to look for jobs written by other processes.
        public var pollInterval: Duration = .milliseconds(500)
        /// How long a wake-up waits for more jobs before running them: the jobs of a
        /// burst share one transaction (one commit, one fsync) and their `lead_enriched`
        /// events one fan-out, instead of one each that webhooks would queue behind.
        public var linger: Duration = .milliseconds(100)
        public init() {}
    }

    private let store: any EnrichmentStore
    private let catalog: VendorCatalog
    private let policy: Policy
    private let onEnriched: @Sendable (Lead) -> Void
    private let doorbell = Doorbell()

    /// - Parameter onEnriched: called with each enriched lead (the host broadcasts it).
    public init(
        store: any EnrichmentStore, catalog: VendorCatalog, policy: Policy = Policy(),
        onEnriched: @escaping @Sendable (Lead) -> Void = { _ in }
    ) {
        self.store = store
        self.catalog = catalog
        self.policy = policy
        self.onEnriched = onEnriched
    }

    /// Processes jobs until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            let done = (try? await drainOnce()) ?? 0
            if done == 0 { await doorbell.wait(timeout: policy.pollInterval) }
            if policy.linger > .zero { try? await Task.sleep(for: policy.linger) }
        }
    }

    /// Starts the next round now.
    public func wake() {
        doorbell.ring()
    }

    /// Runs every job that is due now; returns how many ran (succeeded or failed).
    @discardableResult
    public func drainOnce(now: Date = Date()) async throws -> Int {
        var count = 0
        while true {
            let jobs = try await store.dueEnrichmentJobs(limit: Self.batchSize, now: now)
            if jobs.isEmpty { return count }
            await run(jobs)
            count += jobs.count
        }
    }

    /// Jobs completed per transaction: enough to share commits in a burst, few enough
    /// that webhooks queued behind the transaction wait only a few milliseconds.
    static let batchSize = 32

    private func run(_ jobs: [EnrichmentJob]) async {
        let catalog = self.catalog
        let enrich: EnrichmentFunction = { vendorKey, record in
            guard let vendor = catalog[vendorKey] else {
                throw AdapterError(.invalidRecord, "vendor '\(vendorKey)' is no longer configured")
            }
            return NormalizedDraft(try vendor.adapter.enrich(record))
        }
        let results: [Result<Lead?, any Error>]
        do {
            results = try await store.completeEnrichment(jobs, enrich: enrich)
        } catch {
            // The store failed (not one job): nothing completed; each job is retried later.
            results = jobs.map { _ in .failure(error) }
        }
        for (job, result) in zip(jobs, results) {
            switch result {
            case .success(let lead):
                if let lead { onEnriched(lead) }
            case .failure(let error):
                let attempts = job.attempts + 1
                let retryAt =
                    attempts >= policy.maxAttempts ? nil : Date().addingTimeInterval(delay(attempts: attempts))
                try? await store.failEnrichment(job, error: "\(error)", retryAt: retryAt)
            }
        }
    }

    /// Full jitter: uniform in [0, min(max, base · 2^(attempts-1))].
    func delay(attempts: Int) -> TimeInterval {
        let base = Double(policy.baseDelay.components.seconds) + Double(policy.baseDelay.components.attoseconds) / 1e18
        let cap = Double(policy.maxDelay.components.seconds)
        let ceiling = min(cap, base * pow(2, Double(max(0, attempts - 1))))
        return Double.random(in: 0...ceiling)
    }
}

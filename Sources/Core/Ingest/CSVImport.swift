import CShims
import Foundation

/// One CSV import: bytes in (pushed in chunks of any size), purchases stored in
/// batched transactions, an ``ImportReply`` out.
///
/// Streaming: memory holds one parser buffer and at most two batches (the one being
/// built and the one the store is writing), whatever the file size. Parsing and
/// transforming the next batch overlaps with the store committing the previous one.
/// Rows are enriched inline (the same enrichment a webhook's job runs later), so an
/// import is complete — leads enriched — when ``finish()`` returns.
///
/// Not thread-safe: one import, one task.
///
/// ```swift
/// let run = CSVImport(catalog: catalog, store: store, options: .init(tenantId: id))
/// try await run.feed(chunk)        // repeatedly
/// let reply = try await run.finish()
/// ```
public final class CSVImport {
    public struct Options: Sendable {
        public var tenantId: String
        /// Owner of the leads the import creates (the uploader); nil from the CLI.
        public var assignedTo: String?
        /// A vendor key the user chose; otherwise the vendor is detected from the header.
        public var vendor: String?
        /// Purchases per transaction.
        public var batchSize: Int
        public var batchId: String

        public init(tenantId: String, assignedTo: String? = nil, vendor: String? = nil, batchSize: Int = 500) {
            self.tenantId = tenantId
            self.assignedTo = assignedTo
            self.vendor = vendor
            self.batchSize = batchSize
            self.batchId = Identifier.make("im", millis: RFC3339.millis(Date()))
        }
    }

    /// Receives every rejected row (for `--errors FILE` and downloads).
    public typealias RejectSink = (_ error: ImportReply.RowError, _ names: FieldNames?, _ values: [String]?) -> Void

    private let catalog: VendorCatalog
    private let store: any LeadStore
    private let options: Options
    private let onReject: RejectSink?
    private var table = CSVTable()
    private var detector: VendorDetector?
    private var events: [CSVTable.Event] = []
    private var batch: [IngestItem] = []
    private var batchRows: [(row: Int, line: Int)] = []
    private var inflight:
        (
            task: Task<[Result<BatchOutcome, StoreError>], any Error>, rows: [(row: Int, line: Int)],
            commits: Bool, started: ContinuousClock.Instant
        )?
    private var vendorsSeen: [String] = []

    public private(set) var reply: ImportReply
    /// Bytes fed so far.
    public private(set) var bytes = 0
    /// Data records read so far (stored or not).
    public private(set) var rowsRead = 0
    private var lastCommit = ContinuousClock.now
    /// The current time between commits (see ``commitInterval``).
    private var commitEvery = CSVImport.commitInterval
    /// Rows of the file up to this one are committed (for the message when the store fails).
    private var committedThrough = 0

    public init(catalog: VendorCatalog, store: any LeadStore, options: Options, onReject: RejectSink? = nil) {
        self.catalog = catalog
        self.store = store
        self.options = options
        self.onReject = onReject
        self.reply = ImportReply(batchId: options.batchId, vendor: options.vendor ?? "unknown")
    }

    /// Parses `chunk` and stores full batches. Throws ``ImportError`` when the file
    /// cannot be imported at all (no vendor, not CSV) or the store fails.
    public func feed(_ chunk: UnsafeRawBufferPointer) async throws {
        bytes += chunk.count
        table.feed(chunk) { events.append($0) }
        try await drainEvents()
    }

    public func feed(_ chunk: [UInt8]) async throws {
        bytes += chunk.count
        table.feed(chunk) { events.append($0) }
        try await drainEvents()
    }

    /// Parses what is left, stores the last batch and returns the reply.
    public func finish() async throws -> ImportReply {
        table.finish { events.append($0) }
        try await drainEvents()
        if detector == nil && reply.rows == 0 {
            throw ImportError(.notCSV, "the file is empty: it has no header row")
        }
        try await flush(final: true)
        try await collectInflight()
        if vendorsSeen.count > 1 {
            reply.vendor = "mixed"
        } else if let only = vendorsSeen.first {
            reply.vendor = only
        } else if let first = detector?.vendors.first {
            reply.vendor = first.key
        }
        return reply
    }

    /// Waits for the batch the store is writing, so ``reply`` counts every row stored so
    /// far; the rows not yet handed to the store are dropped. For an import that stops
    /// early (the upload failed): what it reports is then exactly what was stored.
    public func settle() async {
        batch.removeAll()
        batchRows.removeAll()
        try? await commitNow()
    }

    private func drainEvents() async throws {
        guard !events.isEmpty else { return }
        let pending = events
        events.removeAll(keepingCapacity: true)
        for event in pending {
            switch event {
            case .header(let header):
                // A text file's header has no control characters; a binary file's first
                // "line" almost always does.
                if header.names.names.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 && $0 != "\t" } })
                {
                    throw ImportError(.notCSV, "the file is not CSV text: its first line holds binary data")
                }
                detector = try VendorDetector(header: header.names, catalog: catalog, forced: options.vendor)
            case .row(let row):
                rowsRead += 1
                try await take(row)
            case .rowError(let e):
                rowsRead += 1
                reject(ImportReply.RowError(row: e.row, line: e.line, message: e.message), nil, nil)
            case .failed(let e):
                throw ImportError(.notCSV, "the file is not a readable CSV file: \(e.message)")
            }
        }
    }

    private func take(_ row: CSVRow) async throws {
        guard let detector else { return }
        let record = row.record()
        let vendor: Vendor
        switch detector.vendor(for: record) {
        case .success(let v): vendor = v
        case .failure(let e):
            reject(ImportReply.RowError(row: row.row, line: row.line, message: e.message), row.names, row.values)
            return
        }
        reply.vendors[vendor.key, default: 0] += 1
        if !vendorsSeen.contains(vendor.key) { vendorsSeen.append(vendor.key) }
        do {
            let item = try Ingestor.prepare(
                vendor: vendor, record: record, tenantId: options.tenantId, enrich: true, receivedAt: Date(),
                assignedTo: options.assignedTo)
            batch.append(item)
            batchRows.append((row.row, row.line))
        } catch {
            reject(ImportReply.RowError(row: row.row, line: row.line, message: error.message), row.names, row.values)
        }
        if batch.count >= options.batchSize { try await flush() }
    }

    private func reject(_ e: ImportReply.RowError, _ names: FieldNames?, _ values: [String]?) {
        reply.reject(row: e.row, line: e.line, message: e.message)
        onReject?(e, names, values)
    }

    /// Hands the current batch to the store, first collecting the batch still in flight.
    ///
    /// Batches go to the store every `batchSize` rows (bounding memory), but commits come
    /// at most every ``commitInterval`` (and at the end): each commit writes every index
    /// page the transaction touched, so fewer, larger commits write far less. Half a
    /// second keeps another process's writes (a running host's webhooks) waiting briefly
    /// and gets an import's leads to the host's sockets within a second.
    ///
    /// In a large database nearly every commit rewrites every page of the identity
    /// indexes (phone, email and vendor lead id are random keys), so a commit costs more
    /// as the tenant grows. The interval then stretches to a few times what the last
    /// committing batch took, at most ``longestCommitInterval`` (one second, so another
    /// process still waits at most that long): commits stay a fraction of the import's
    /// time instead of most of it.
    private func flush(final: Bool = false) async throws {
        guard !batch.isEmpty else {
            if final { try await commitNow() }
            return
        }
        try await collectInflight()
        let items = batch
        let store = self.store
        let commit = final || ContinuousClock.now - lastCommit >= commitEvery
        if commit {
            lastCommit = ContinuousClock.now
            // Batches are built on this thread and freed on the store's: give the freed
            // memory back so the resident size stays flat over a long file.
            _ = sluice_malloc_trim()
        }
        let importId = options.batchId
        inflight = (
            Task { try await store.ingest(batch: items, commit: commit, importId: importId) }, batchRows, commit, .now
        )
        batch.removeAll(keepingCapacity: true)
        batchRows.removeAll(keepingCapacity: true)
    }

    /// Time between an import's commits while they are cheap.
    public static let commitInterval: Duration = .milliseconds(500)
    /// Longest time rows stay uncommitted during an import, when commits are expensive.
    public static let longestCommitInterval: Duration = .seconds(1)

    private func commitNow() async throws {
        try await collectInflight()
        do {
            try await store.commit()
        } catch {
            throw stopped(at: rowsRead, error)
        }
        committedThrough = rowsRead
        lastCommit = ContinuousClock.now
    }

    private func stopped(at row: Int, _ error: any Error) -> ImportError {
        let kept =
            committedThrough > 0
            ? "rows up to \(committedThrough) are stored; importing the file again finishes it"
            : "no row was stored"
        return ImportError(.io, "the import stopped at row \(row) because the database failed (\(error)); \(kept)")
    }

    private func collectInflight() async throws {
        guard let (task, rows, commits, started) = inflight else { return }
        inflight = nil
        let results: [Result<BatchOutcome, StoreError>]
        do {
            results = try await task.value
            if commits {
                committedThrough = rows.last?.row ?? committedThrough
                // The writer thread does nothing else meanwhile: this is the batch plus its commit.
                commitEvery = min(
                    max(CSVImport.commitInterval, (ContinuousClock.now - started) * 8), CSVImport.longestCommitInterval)
            }
        } catch {
            throw stopped(at: rows.first?.row ?? rowsRead, error)
        }
        for (result, where_) in zip(results, rows) {
            switch result {
            case .success(let r):
                reply.rows += 1
                switch r.outcome {
                case .created: reply.created += 1
                case .updated: reply.updated += 1
                case .unchanged: reply.unchanged += 1
                }
                if r.outcome != .unchanged, reply.leadIds.count < ImportReply.maxListedLeads,
                    !reply.leadIds.contains(r.leadId)
                {
                    reply.leadIds.append(r.leadId)
                }
            case .failure(let e):
                reject(ImportReply.RowError(row: where_.row, line: where_.line, message: e.message), nil, nil)
            }
        }
    }
}

import Foundation

/// The embedded store: one SQLite file in WAL mode with `synchronous=FULL`, so a write
/// the store acknowledged survives a power cut.
///
/// One writer thread owns the write connection (group commit for single purchases,
/// batched transactions for imports); reads use their own connection and thread, so
/// they never wait behind a long import (WAL lets readers and the writer overlap).
///
/// Several processes may open the same file (a host and a `sluice import`): SQLite's
/// lock serialises their write transactions and the unique indexes keep identity.
public final class SQLiteStore: LeadStore {
    let writer: DatabaseWorker
    private let reader: DatabaseWorker
    public let path: String

    /// Opens (creating when missing, with its folder) and migrates the database at `path`.
    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        }
        let w = try SQLiteConnection(path: path)
        try SQLiteStore.configure(w)
        try Migrations.migrate(w, now: RFC3339.millis(Date()))
        let r = try SQLiteConnection(path: path)
        try SQLiteStore.configure(r)
        let checkpointer = try Checkpointer(path: path)
        try checkpointer.watch(w)
        self.checkpointer = checkpointer
        let leadWriter = LeadWriter(db: w)
        self.writer = DatabaseWorker(connection: w, name: "sluice-writer") { db, group in
            SQLiteStore.commitGroup(db, leadWriter, group)
        }
        self.reader = DatabaseWorker(connection: r, name: "sluice-reader") { _, group in
            for g in group { g.reply(.failure(StoreError(.unavailable, "reads cannot write"))) }
        }
        self.leadWriter = leadWriter
    }

    // Touched only on the writer thread (inside `writer` closures).
    let leadWriter: LeadWriter
    private let checkpointer: Checkpointer

    deinit {
        writer.stop()
        reader.stop()
        checkpointer.stop()
    }

    /// The pragmas every connection runs with. `synchronous=FULL` is never weakened:
    /// in WAL mode it fsyncs the log at every commit, which is what makes a 2xx durable.
    static func configure(_ db: SQLiteConnection) throws {
        db.setBusyTimeout(milliseconds: 30_000)
        // Only takes effect when the file is created. Measured with the current writer
        // on a 200,000-row import: 4 KiB pages 10.2–11.3 s, 8 KiB 11.9 s, 16 KiB
        // 11.1–12.5 s; and a webhook's commit writes a quarter of the bytes (200/s
        // latency p50 1.04–1.23 ms against 1.31–1.43 with 16 KiB).
        try db.execute("PRAGMA page_size=4096")
        let mode = try db.pragma("journal_mode=WAL")
        guard mode?.lowercased() == "wal" else {
            throw StoreError(.unavailable, "the database could not switch to WAL mode (got \(mode ?? "nothing"))")
        }
        try db.execute("PRAGMA synchronous=FULL")
        // 32 MiB per connection. The identity indexes take random keys, so a page that is
        // not cached is a read; with 12 MiB a 200,000-row import spent a third of its
        // writer time reading pages back. An import's peak stays well under 150 MiB.
        try db.execute("PRAGMA cache_size=-32768")
        try db.execute("PRAGMA temp_store=MEMORY")
        // The store's writer checkpoints through its `Checkpointer` (which replaces the
        // automatic checkpoints); this is for a connection that writes without one.
        // Pages written again and again (index pages) are copied to the database once
        // per checkpoint, not once per commit. Durability does not depend on
        // checkpoints: commits fsync the log.
        try db.execute("PRAGMA wal_autocheckpoint=16384")
    }

    /// The journal mode and synchronous level a connection opened by the store has
    /// (for tests and `healthz`): e.g. ("wal", 2) where 2 is FULL.
    public func durability() async throws -> (journalMode: String, synchronous: Int) {
        try await writer.run { db in
            let mode = try db.pragma("journal_mode") ?? ""
            let sync = try db.prepare("PRAGMA synchronous").oneInt() ?? -1
            return (mode, Int(sync))
        }
    }

    // MARK: Ingest

    public func ingest(
        batch: [IngestItem], commit: Bool, importId: String?
    ) async throws -> [Result<BatchOutcome, StoreError>] {
        let lw = leadWriter
        return try await writer.run { db in
            try SQLiteStore.applyAll(db, lw, batch, commit: commit, importId: importId).map { r in
                r.map { BatchOutcome(outcome: $0.outcome, leadId: $0.lead.id) }
            }
        }
    }

    public func commit() async throws {
        let lw = leadWriter
        try await writer.run { db in
            if db.isInTransaction {
                try db.execute("COMMIT")
                lw.committed()
            }
        }
    }

    /// Called on the writer thread after every commit that stored events, with those
    /// events (the host's event hub broadcasts them). Set once at start-up; keep it short.
    public func observeCommittedEvents(_ observer: @escaping @Sendable ([CommittedEvent]) -> Void) {
        leadWriter.eventObserver.withLock { $0 = LeadWriter.EventObserver(call: observer) }
    }

    public func ingest(_ item: IngestItem) async throws -> IngestResult {
        try await withCheckedThrowingContinuation { c in
            writer.submit(item) { c.resume(with: $0) }
        }
    }

    /// One transaction around `body`; rolls back (and drops the writer's cache) on error.
    ///
    /// When an import left a transaction open (`commit: false`), `body` runs inside it
    /// under a savepoint, so a failure undoes only `body`; committing then commits the
    /// import's pending rows too, which only makes them durable sooner.
    static func transaction<T>(
        _ db: SQLiteConnection, _ lw: LeadWriter, commit: Bool = true, _ body: (Date) throws -> T
    ) throws -> T {
        if db.isInTransaction {
            let mark = lw.pendingEvents.count
            try db.prepare("SAVEPOINT work").run()
            do {
                let value = try body(Date())
                try db.prepare("RELEASE work").run()
                if commit {
                    try db.execute("COMMIT")
                    lw.committed()
                }
                return value
            } catch {
                try? db.prepare("ROLLBACK TO work").run()
                try? db.prepare("RELEASE work").run()
                lw.rolledBack(eventMark: mark)
                throw error
            }
        }
        try db.execute("BEGIN IMMEDIATE")
        do {
            try lw.beginTransaction()
            let value = try body(Date())
            if commit {
                try db.execute("COMMIT")
                lw.committed()
            }
            return value
        } catch {
            try? db.execute("ROLLBACK")
            lw.rolledBack()
            throw error
        }
    }

    static func applyInSavepoint(
        _ db: SQLiteConnection, _ lw: LeadWriter, _ item: IngestItem, _ now: Date
    ) -> Result<IngestResult, StoreError> {
        do {
            let mark = lw.pendingEvents.count
            try db.prepare("SAVEPOINT purchase").run()
            do {
                let r = try lw.apply(item, now: now)
                try db.prepare("RELEASE purchase").run()
                return .success(r)
            } catch {
                try db.prepare("ROLLBACK TO purchase").run()
                try db.prepare("RELEASE purchase").run()
                lw.rolledBack(eventMark: mark)
                return .failure(error as? StoreError ?? StoreError(.unavailable, "\(error)"))
            }
        } catch {
            return .failure(StoreError(.unavailable, "\(error)"))
        }
    }

    static func commitGroup(_ db: SQLiteConnection, _ lw: LeadWriter, _ group: [DatabaseWorker.GroupedWrite]) {
        do {
            let results = try applyAll(db, lw, group.map(\.item))
            for (g, r) in zip(group, results) { g.reply(r.mapError { $0 as any Error }) }
        } catch {
            for g in group { g.reply(.failure(error)) }
        }
    }

    /// Stores `items` in one transaction. The fast path runs them without savepoints
    /// (a savepoint makes SQLite copy every page it touches into a sub-journal); if any
    /// item fails, the transaction is rolled back and run again with one savepoint per
    /// item, so the failure stays with that item and the others still commit.
    ///
    /// A batch of an import whose open transaction holds nothing but that import's
    /// batches (`LeadWriter.transactionOwner`) runs in it without a savepoint too: per
    /// batch, the sub-journal copies cost a fifth of the writer's time. If it fails, the
    /// whole transaction is rolled back and the error thrown — the import stops, keeping
    /// what it committed (its message says where; importing the file again finishes
    /// it). Item failures are SQLite failures (disk, I/O), which would stop the import
    /// at its next commit anyway. Any other write in that transaction (another import's
    /// batch) makes it shared: from then on every batch has its savepoint again.
    static func applyAll(
        _ db: SQLiteConnection, _ lw: LeadWriter, _ items: [IngestItem], commit: Bool = true,
        importId: String? = nil
    ) throws -> [Result<IngestResult, StoreError>] {
        if db.isInTransaction, let importId, lw.transactionOwner == importId {
            do {
                let now = Date()
                let results = try items.map { Result<IngestResult, StoreError>.success(try lw.apply($0, now: now)) }
                if commit {
                    try db.execute("COMMIT")
                    lw.committed()
                }
                return results
            } catch {
                try? db.execute("ROLLBACK")
                lw.rolledBack()
                throw StoreError(
                    .unavailable, "\(error); the rows since the import's last commit were rolled back")
            }
        }
        let opens = !db.isInTransaction
        defer {
            // The import that opens a transaction it leaves open owns it until another
            // import's batch joins.
            if !commit, db.isInTransaction { lw.transactionOwner = opens ? importId : nil }
        }
        do {
            return try transaction(db, lw, commit: commit) { now in
                try items.map { item in Result<IngestResult, StoreError>.success(try lw.apply(item, now: now)) }
            }
        } catch {
            return try transaction(db, lw, commit: commit) { now in
                items.map { item in applyInSavepoint(db, lw, item, now) }
            }
        }
    }
}

extension SQLiteStore {
    /// Runs `body` on the writer thread in one transaction.
    func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let lw = leadWriter
        return try await writer.run { db in try SQLiteStore.transaction(db, lw) { _ in try body(db) } }
    }

    /// Runs `body` on the reader thread (a consistent snapshot per statement).
    func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await reader.run(body)
    }
}

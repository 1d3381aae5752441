import Foundation
import Testing

@testable import Core

@Suite struct CheckpointerTests {
    let dir = TemporaryDirectory()

    func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// Commits report the log's size to the hook (which replaces automatic checkpoints),
    /// and a requested checkpoint copies the log into the database on its own thread.
    @Test func theLogHookSeesEveryCommitAndTheCheckpointerCopiesTheLog() async throws {
        let path = dir.file("a.db")
        let db = try SQLiteConnection(path: path)
        try SQLiteStore.configure(db)
        nonisolated(unsafe) var reported: [Int] = []
        db.onLogCommit { reported.append($0) }
        try db.execute("CREATE TABLE t (x TEXT)")
        for i in 0..<50 {
            try db.prepare("INSERT INTO t VALUES (?)").bind(1, String(repeating: "\(i)", count: 4000)).run()
        }
        #expect(reported.count == 51)
        #expect(reported == reported.sorted() && reported.last! > 10)
        let before = fileSize(path)

        let checkpointer = try Checkpointer(path: path)
        defer { checkpointer.stop() }
        checkpointer.request()
        let deadline = ContinuousClock.now + .seconds(10)
        while fileSize(path) <= before, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(fileSize(path) > before)
        // Everything is in the database now: another passive checkpoint has nothing to copy.
        let state = try db.checkpoint()
        #expect(state.copiedPages == state.logPages)
    }

    /// The host gives the log its working size up front; commits then land inside the
    /// file, and the zeros past the last frame are never read as frames (after a reopen
    /// too).
    @Test func aPreparedLogKeepsEveryCommitAndReadsBackAfterAReopen() async throws {
        let path = dir.file("a.db")
        var leadId = ""
        do {
            let store = try SQLiteStore(path: path)
            let t = try await store.createTenant(name: "A")
            #expect(try await store.prepareLog() > 0)
            #expect(fileSize(path + "-wal") >= Checkpointer.thresholdBytes)
            #expect(try await store.prepareLog() == 0)  // already that size
            let item = try Ingestor.prepare(
                vendor: RecordAdapter.vendor(), record: .of(["purchase": "P1", "phone": "5552013344"]),
                tenantId: t.id, enrich: true, receivedAt: Date())
            leadId = try await store.ingest(item).lead.id
            #expect(fileSize(path + "-wal") >= Checkpointer.thresholdBytes)
        }
        // A second connection reads the log as recovery would.
        let db = try SQLiteConnection(path: path)
        #expect(try db.prepare("SELECT count(*) FROM leads WHERE id = ?").bind(1, leadId).oneInt() == 1)
        #expect(try db.pragma("integrity_check") == "ok")
    }
}

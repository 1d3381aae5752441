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
            #expect(fileSize(path + "-wal") >= Checkpointer.preparedLogBytes)
            #expect(try await store.prepareLog() == 0)  // already that size
            let item = try Ingestor.prepare(
                vendor: RecordAdapter.vendor(), record: .of(["purchase": "P1", "phone": "5552013344"]),
                tenantId: t.id, enrich: true, receivedAt: Date())
            leadId = try await store.ingest(item).lead.id
            #expect(fileSize(path + "-wal") >= Checkpointer.preparedLogBytes)
        }
        // A second connection reads the log as recovery would.
        let db = try SQLiteConnection(path: path)
        #expect(try db.prepare("SELECT count(*) FROM leads WHERE id = ?").bind(1, leadId).oneInt() == 1)
        #expect(try db.pragma("integrity_check") == "ok")
    }
}

@Suite struct CheckpointerStepTests {
    /// After each commit: nothing below the threshold, a wake-up at the crossing, then
    /// one per sixteenth of the threshold more, at once again after the log restarted,
    /// and a checkpoint on the writer at four times the threshold.
    @Test(arguments: [
        (pages: 100, lastWake: 0, step: Checkpointer.Step.nothing),
        (pages: 1600, lastWake: 0, step: .wake),
        (pages: 1601, lastWake: 1600, step: .nothing),
        (pages: 1699, lastWake: 1600, step: .nothing),
        (pages: 1700, lastWake: 1600, step: .wake),
        (pages: 1605, lastWake: 1700, step: .wake),
        (pages: 6399, lastWake: 6300, step: .nothing),
        (pages: 6400, lastWake: 6390, step: .checkpointHere),
    ])
    func theStepAfterACommit(pages: Int, lastWake: Int, step: Checkpointer.Step) {
        #expect(Checkpointer.step(pages: pages, lastWake: lastWake, threshold: 1600) == step)
    }
}

extension CheckpointerTests {
    /// A reader pins the log, so it cannot start over: commits past the threshold wake
    /// the checkpointer once per sixteenth of the threshold, not once per commit.
    @Test func commitsPastTheThresholdDoNotEachWakeTheCheckpointer() async throws {
        let path = dir.file("a.db")
        let db = try SQLiteConnection(path: path)
        try SQLiteStore.configure(db)
        try db.execute("CREATE TABLE t (x TEXT)")
        // 256 KiB = 64 pages: a wake-up every 4 pages past it.
        let checkpointer = try Checkpointer(path: path, thresholdBytes: 256 << 10)
        defer { checkpointer.stop() }
        try checkpointer.watch(db)
        let reader = try SQLiteConnection(path: path)
        try reader.execute("BEGIN")
        _ = try reader.prepare("SELECT count(*) FROM t").oneInt()
        for i in 0..<400 {
            try db.prepare("INSERT INTO t VALUES (?)").bind(1, String(repeating: "\(i % 10)", count: 300)).run()
        }
        try reader.execute("COMMIT")
        // The log went past four times the threshold (256 pages), where the writer
        // checkpoints itself: every commit between 64 and 256 pages could have woken it.
        try #require(try db.checkpoint().logPages >= 4 * 64)
        let deadline = ContinuousClock.now + .seconds(10)
        while checkpointer.checkpointsRun == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(checkpointer.checkpointsRun >= 1)
        // One wake-up at 64 pages, then one per 4 pages up to 256.
        #expect(checkpointer.checkpointsRun <= (4 * 64 - 64) / 4 + 1)
    }
}

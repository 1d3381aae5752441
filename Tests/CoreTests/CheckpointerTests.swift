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
}

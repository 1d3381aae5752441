import Foundation
import Testing

@testable import Core

@Suite struct DatabaseWorkerTests {
    let dir = TemporaryDirectory()

    /// The worker's thread carries its name where operators look (`top -H`, `perf`).
    @Test func theThreadIsNamed() async throws {
        let worker = DatabaseWorker(connection: try SQLiteConnection(path: dir.file("a.db")), name: "sluice-test") {
            _, _ in
        }
        defer { worker.stop() }
        let name = try await worker.run { _ in
            (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8)) ?? ""
        }
        #expect(name.trimmingCharacters(in: .whitespacesAndNewlines) == "sluice-test")
    }
}

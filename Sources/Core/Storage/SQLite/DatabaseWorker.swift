import CShims
import Foundation

/// A thread that owns one SQLite connection and runs work on it, one piece at a time.
///
/// Blocking SQLite calls never run on Swift's cooperative pool: async callers hand a
/// closure over and await its result. Single-purchase writes queued with
/// ``submit(_:_:)`` are *group committed*: everything waiting when the thread wakes is
/// written in one transaction with one fsync, each purchase in its own savepoint so one
/// bad item cannot fail the others.
///
/// Thread-safety: `@unchecked Sendable` because the queue is guarded by `condition`
/// (an `NSCondition`, used as the lock) and the connection is touched only by the
/// worker thread after `init`.
final class DatabaseWorker: @unchecked Sendable {
    typealias Work = (SQLiteConnection) -> Void
    /// Handles a batch of grouped writes inside one open transaction.
    typealias GroupHandler = (SQLiteConnection, [GroupedWrite]) -> Void

    /// One queued single-purchase write and where its answer goes.
    struct GroupedWrite {
        let item: IngestItem
        let reply: (Result<IngestResult, any Error>) -> Void
    }

    private let condition = NSCondition()
    private var work: [Work] = []
    private var grouped: [GroupedWrite] = []
    private var stopped = false
    private let connection: SQLiteConnection
    private let groupHandler: GroupHandler
    /// Most grouped writes in one commit: bounds latency of the last one in a burst.
    private let maxGroup = 512
    private var thread: Thread?

    /// - Parameter name: the thread's name as `top -H` and `perf` show it (at most 15
    ///   bytes, Linux's limit).
    init(connection: SQLiteConnection, name: String, groupHandler: @escaping GroupHandler) {
        precondition(name.utf8.count <= 15, "a thread name has at most 15 bytes")
        self.connection = connection
        self.groupHandler = groupHandler
        // The thread holds the worker until `stop()` lets its loop end.
        let t = Thread {
            _ = sluice_set_thread_name(name)
            self.loop()
        }
        t.name = name
        thread = t
        t.start()
    }

    /// Runs `body` on the worker thread and returns its value.
    func run<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<T, any Error>) in
            enqueue { db in c.resume(with: Result { try body(db) }) }
        }
    }

    /// Runs `body` on the worker thread and blocks the calling thread until it is done.
    /// For command-line code on the main thread only; never from an async context.
    func sync<T>(_ body: @escaping (SQLiteConnection) throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: Result<T, any Error>!
        enqueue { db in
            result = Result { try body(db) }
            done.signal()
        }
        done.wait()
        return try result.get()
    }

    /// Runs `body` on the worker thread without waiting for it.
    func perform(_ body: @escaping Work) {
        enqueue(body)
    }

    /// Queues one purchase for the next group commit.
    func submit(_ item: IngestItem, _ reply: @escaping (Result<IngestResult, any Error>) -> Void) {
        condition.lock()
        grouped.append(GroupedWrite(item: item, reply: reply))
        condition.signal()
        condition.unlock()
    }

    /// Finishes queued work, then stops the thread.
    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    private func enqueue(_ w: @escaping Work) {
        condition.lock()
        work.append(w)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while work.isEmpty && grouped.isEmpty && !stopped { condition.wait() }
            if work.isEmpty && grouped.isEmpty && stopped {
                condition.unlock()
                return
            }
            let batch = work
            work.removeAll(keepingCapacity: true)
            let group = Array(grouped.prefix(maxGroup))
            grouped.removeFirst(group.count)
            condition.unlock()

            // Grouped writes (webhooks: someone is waiting for the reply and the event)
            // go before other work taken in the same turn (enrichment, imports, stamps).
            if !group.isEmpty { groupHandler(connection, group) }
            for w in batch { w(connection) }
        }
    }
}

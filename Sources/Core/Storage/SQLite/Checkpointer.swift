import Foundation
import Synchronization

/// Copies the write-ahead log into the database file on its own connection and thread,
/// so the store's writer never pauses inside a commit for a checkpoint.
///
/// SQLite's automatic checkpoint runs in the commit that crosses its threshold: that
/// commit copied tens of MiB and fsynced the database while every
/// webhook behind it waited (the 200/s latency benchmark's p99 was those pauses). Here
/// the writer's log hook only wakes this thread once the log passes `thresholdBytes`;
/// a *passive* checkpoint then copies what no reader still needs, concurrently with new
/// commits. Should this thread ever fall far behind, the writer checkpoints itself at
/// four times the threshold, as SQLite would have.
///
/// Durability does not depend on checkpoints: every commit fsyncs the log first.
///
/// Runs on a `DatabaseWorker` of its own (a third connection and thread); requests
/// made while one is waiting are merged.
///
/// Once the log has passed the threshold, the next wake-up waits for another
/// sixteenth of it. SQLite starts the log over only when a write begins with every
/// frame copied, and a checkpoint (two fsyncs) rarely finishes between two webhooks at
/// 200/s: waking on every commit past the threshold ran a checkpoint per commit for a
/// second or two each time (150 a second, measured), competing with the commits for
/// the disk.
final class Checkpointer: Sendable {
    /// Log size that starts a checkpoint: pages an import rewrites again and again are
    /// copied once per checkpoint, not once per commit.
    static let thresholdBytes = 64 << 20
    /// The log's size as a host prepares it (``SQLiteStore/prepareLog()``): the
    /// threshold and a quarter more. The log starts over only once no reader is still
    /// on it: at 200 webhooks a second it went on to 72–76 MiB first (measured).
    static let preparedLogBytes = thresholdBytes + thresholdBytes / 4

    private let worker: DatabaseWorker
    private let thresholdBytes: Int
    /// A checkpoint is queued and has not started yet.
    private let queued = Atomic<Bool>(false)
    /// The log's size in pages at the last wake-up (set on the writer's thread).
    private let lastWake = Atomic<Int>(0)
    private let checkpoints = Atomic<Int>(0)

    /// Checkpoints this thread has run.
    var checkpointsRun: Int { checkpoints.load(ordering: .relaxed) }

    init(path: String, thresholdBytes: Int = Checkpointer.thresholdBytes) throws {
        self.thresholdBytes = thresholdBytes
        let connection = try SQLiteConnection(path: path)
        connection.setBusyTimeout(milliseconds: 1000)
        // A connection learns the file is in WAL mode on its first read; until then a
        // checkpoint is a no-op.
        guard try connection.pragma("journal_mode")?.lowercased() == "wal" else {
            throw StoreError(.unavailable, "the database is not in WAL mode")
        }
        worker = DatabaseWorker(connection: connection, name: "sluice-ckpt") { _, group in
            for g in group { g.reply(.failure(StoreError(.unavailable, "the checkpointer does not write"))) }
        }
    }

    /// What the writer's log hook does after a commit.
    enum Step: Equatable {
        case nothing
        /// Wake the checkpointer; remember `pages` as the last wake-up.
        case wake
        /// The checkpointer is far behind: checkpoint on the writer, as SQLite would.
        case checkpointHere
    }

    /// The step after a commit that left `pages` pages of log, `lastWake` being the
    /// log's size at the last wake-up and `threshold` the threshold in pages.
    static func step(pages: Int, lastWake: Int, threshold: Int) -> Step {
        if pages >= 4 * threshold { return .checkpointHere }
        guard pages >= threshold else { return .nothing }
        // A log smaller than at the last wake-up was started over since.
        return pages < lastWake || pages - lastWake >= max(1, threshold / 16) ? .wake : .nothing
    }

    /// Installs the writer's log hook: wake this thread past `thresholdBytes` of log,
    /// checkpoint on the writer past four times that.
    func watch(_ writer: SQLiteConnection) throws {
        let pageSize = max(512, Int(try writer.prepare("PRAGMA page_size").oneInt() ?? 4096))
        let threshold = max(1, thresholdBytes / pageSize)
        writer.onLogCommit { [unowned writer, self] pages in
            let last = lastWake.load(ordering: .relaxed)
            switch Self.step(pages: pages, lastWake: last, threshold: threshold) {
            case .nothing:
                // The log was started over: the next crossing wakes at once.
                if pages < last { lastWake.store(0, ordering: .relaxed) }
            case .wake:
                lastWake.store(pages, ordering: .relaxed)
                request()
            case .checkpointHere:
                _ = try? writer.checkpoint()
            }
        }
    }

    /// Asks for a checkpoint soon (requests while one waits are merged).
    func request() {
        guard queued.compareExchange(expected: false, desired: true, ordering: .acquiringAndReleasing).exchanged
        else { return }
        worker.perform { [self] db in
            queued.store(false, ordering: .releasing)
            _ = try? db.checkpoint()
            checkpoints.add(1, ordering: .relaxed)
        }
    }

    /// Lets the thread finish (after the checkpoints already asked for).
    func stop() {
        worker.stop()
    }
}

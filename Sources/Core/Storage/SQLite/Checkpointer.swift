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
final class Checkpointer: Sendable {
    /// Log size that starts a checkpoint: pages an import rewrites again and again are
    /// copied once per checkpoint, not once per commit.
    static let thresholdBytes = 64 << 20

    private let worker: DatabaseWorker
    /// A checkpoint is queued and has not started yet.
    private let queued = Atomic<Bool>(false)

    init(path: String) throws {
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

    /// Installs the writer's log hook: wake this thread past `thresholdBytes` of log,
    /// checkpoint on the writer past four times that.
    func watch(_ writer: SQLiteConnection) throws {
        let pageSize = max(512, Int(try writer.prepare("PRAGMA page_size").oneInt() ?? 4096))
        let threshold = Self.thresholdBytes / pageSize
        writer.onLogCommit { [unowned writer, self] pages in
            if pages >= 4 * threshold {
                _ = try? writer.checkpoint()
            } else if pages >= threshold {
                self.request()
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
        }
    }

    /// Lets the thread finish (after the checkpoints already asked for).
    func stop() {
        worker.stop()
    }
}

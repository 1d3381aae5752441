import CSQLite
import CShims
import Foundation

/// One SQLite connection: the only owner of its `sqlite3*`, closed in `deinit`.
///
/// Not thread-safe; a connection belongs to one thread at a time (the store's writer
/// thread or a reader), which is why it is not `Sendable`. Statements are prepared once
/// and cached by SQL text.
///
/// ```swift
/// let db = try SQLiteConnection(path: "data/sluice.db")
/// try db.execute("PRAGMA journal_mode=WAL")
/// let n = try db.prepare("SELECT count(*) FROM leads").oneInt()
/// ```
package final class SQLiteConnection {
    private let handle: OpaquePointer
    package let path: String
    private var cache: [String: SQLiteStatement] = [:]
    /// The closure `onLogCommit` installed, kept alive for SQLite's hook.
    private var logHook: Unmanaged<LogHook>?

    /// Opens (creating when missing) the database at `path`. Its log writes are
    /// combined into one write per commit (``LogWriteCombiner``) unless
    /// `combineLogWrites` is false (the default VFS, as other programs open the file).
    package init(path: String, readOnly: Bool = false, combineLogWrites: Bool = true) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, combineLogWrites ? LogWriteCombiner.registered : nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            if let db { sqlite3_close_v2(db) }
            throw SQLiteError(code: rc, extendedCode: rc, message: message)
        }
        self.handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        _ = sluice_sqlite3_db_config_defensive(db, 1)
    }

    deinit {
        cache.removeAll()
        sqlite3_close_v2(handle)
        logHook?.release()
    }

    /// Calls `body` on this connection's thread after each commit to the write-ahead
    /// log, with the log's size in pages. Replaces SQLite's automatic checkpoints (which
    /// would run inside the commit): `body` decides when to checkpoint, e.g. by waking a
    /// ``Checkpointer`` or calling ``checkpoint()`` itself.
    package func onLogCommit(_ body: @escaping (Int) -> Void) {
        let hook = Unmanaged.passRetained(LogHook(body))
        logHook?.release()
        logHook = hook
        sqlite3_wal_hook(
            handle,
            { context, _, _, pages in
                Unmanaged<LogHook>.fromOpaque(context!).takeUnretainedValue().body(Int(pages))
                return SQLITE_OK
            }, hook.toOpaque())
    }

    /// Copies what it can of the write-ahead log into the database file without waiting
    /// for any lock (`SQLITE_CHECKPOINT_PASSIVE`). Returns the log's size and how much of
    /// it is now in the database, in pages.
    @discardableResult
    package func checkpoint() throws(SQLiteError) -> (logPages: Int, copiedPages: Int) {
        var log: Int32 = 0
        var copied: Int32 = 0
        let rc = sqlite3_wal_checkpoint_v2(handle, nil, SQLITE_CHECKPOINT_PASSIVE, &log, &copied)
        guard rc == SQLITE_OK else { throw error(rc, sql: "checkpoint") }
        return (Int(log), Int(copied))
    }

    /// Runs one or more statements without results (DDL, pragmas, BEGIN/COMMIT).
    package func execute(_ sql: String) throws(SQLiteError) {
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, sql: sql) }
    }

    /// A prepared statement for `sql`, reused across calls (reset and unbound each time).
    package func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let s = cache[sql] {
            s.reset()
            return s
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql: sql) }
        let s = SQLiteStatement(stmt, connection: self, sql: sql)
        cache[sql] = s
        return s
    }

    /// Value of a pragma that returns one text row (`journal_mode`, `synchronous`).
    package func pragma(_ name: String) throws(SQLiteError) -> String? {
        let s = try prepare("PRAGMA \(name)")
        defer { s.reset() }
        guard try s.step() else { return nil }
        return s.text(0)
    }

    /// Milliseconds to wait for another connection's write lock before `SQLITE_BUSY`.
    package func setBusyTimeout(milliseconds: Int32) {
        sqlite3_busy_timeout(handle, milliseconds)
    }

    /// Rows changed by the last INSERT/UPDATE/DELETE.
    package var changes: Int { Int(sqlite3_changes(handle)) }

    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    package var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Writes the log-combining VFS has handed to the kernel for this connection's log so
    /// far; nil when the log is not open through it. For tests and measurements.
    package var logWritesHandedOver: Int? { LogWriteCombiner.writesHandedOver(handle) }

    /// Runs `body` in `BEGIN IMMEDIATE … COMMIT`, rolling back when it throws.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    package func error(_ rc: Int32, sql: String?) -> SQLiteError {
        SQLiteError(
            code: rc & 0xff, extendedCode: sqlite3_extended_errcode(handle),
            message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}

/// Boxes the closure SQLite's write-ahead-log hook calls.
private final class LogHook {
    let body: (Int) -> Void
    init(_ body: @escaping (Int) -> Void) { self.body = body }
}

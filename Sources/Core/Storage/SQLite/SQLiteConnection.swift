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

    /// Opens (creating when missing) the database at `path`.
    package init(path: String, readOnly: Bool = false) throws(SQLiteError) {
        var db: OpaquePointer?
        let flags =
            (readOnly ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE))
            | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
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

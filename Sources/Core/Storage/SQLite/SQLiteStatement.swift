import CSQLite

/// A prepared statement owned by its connection's cache; finalized in `deinit`.
///
/// Parameters are 1-based as in SQLite. Values are always bound, never interpolated.
package final class SQLiteStatement {
    private let handle: OpaquePointer
    // Unowned: the connection's cache owns every statement and outlives it.
    private unowned let connection: SQLiteConnection
    package let sql: String

    /// The bytes of bound text and blobs, which SQLite reads in place (`SQLITE_STATIC`)
    /// until the bindings are cleared: binding with `SQLITE_TRANSIENT` made SQLite free
    /// and allocate a copy of every value on every run (7 % of the writer's time in an
    /// import, measured).
    private let arena = BindArena()

    init(_ handle: OpaquePointer, connection: SQLiteConnection, sql: String) {
        self.handle = handle
        self.connection = connection
        self.sql = sql
    }

    // The statement goes first: it may point into `arena`, freed after it.
    deinit { sqlite3_finalize(handle) }

    /// Resets the statement for another run and clears its bindings.
    package func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        arena.reset()
    }

    // MARK: Binding

    @discardableResult
    package func bind(_ index: Int32, _ value: String?) -> SQLiteStatement {
        guard let value else {
            sqlite3_bind_null(handle, index)
            return self
        }
        var v = value
        v.withUTF8 { buf in
            let copy = arena.copy(UnsafeRawBufferPointer(buf))
            _ = sqlite3_bind_text(handle, index, copy.assumingMemoryBound(to: CChar.self), Int32(buf.count), nil)
        }
        return self
    }

    @discardableResult
    package func bind(_ index: Int32, _ value: Int64?) -> SQLiteStatement {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
        return self
    }

    @discardableResult
    package func bind(_ index: Int32, _ value: Int?) -> SQLiteStatement {
        bind(index, value.map(Int64.init))
    }

    @discardableResult
    package func bind(_ index: Int32, _ bytes: [UInt8]?) -> SQLiteStatement {
        guard let bytes else {
            sqlite3_bind_null(handle, index)
            return self
        }
        bytes.withUnsafeBytes { buf in
            _ = sqlite3_bind_blob(handle, index, arena.copy(buf), Int32(buf.count), nil)
        }
        return self
    }

    // MARK: Stepping

    /// Advances to the next row; `false` when done. Throws on errors (constraints, busy).
    package func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let e = connection.error(rc, sql: sql)
            sqlite3_reset(handle)
            throw e
        }
    }

    /// Runs a statement that returns no rows.
    package func run() throws(SQLiteError) {
        _ = try step()
        sqlite3_reset(handle)
    }

    /// The first column of the first row as an integer, or nil when there is no row.
    package func oneInt() throws(SQLiteError) -> Int64? {
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return isNull(0) ? nil : int(0)
    }

    /// The first column of the first row as text, or nil.
    package func oneText() throws(SQLiteError) -> String? {
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return text(0)
    }

    // MARK: Columns (0-based)

    package func isNull(_ i: Int32) -> Bool { sqlite3_column_type(handle, i) == SQLITE_NULL }

    package func int(_ i: Int32) -> Int64 { sqlite3_column_int64(handle, i) }

    package func optionalInt(_ i: Int32) -> Int64? { isNull(i) ? nil : int(i) }

    package func text(_ i: Int32) -> String? {
        guard let p = sqlite3_column_text(handle, i) else { return nil }
        let n = Int(sqlite3_column_bytes(handle, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    package func blob(_ i: Int32) -> [UInt8]? {
        guard let p = sqlite3_column_blob(handle, i) else { return isNull(i) ? nil : [] }
        let n = Int(sqlite3_column_bytes(handle, i))
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}

/// Memory for one statement's bound values: copies stay where they are until `reset`
/// (a new chunk when one is full, so earlier copies never move). It holds what was bound
/// since the last reset — a loop that binds again without `prepare` keeps every run's
/// copies until then. After a run that needed several chunks, `reset` keeps one chunk
/// of their size (at most 64 KiB), so a statement's values fit one chunk from then on.
/// Owned by one statement, used on its connection's thread.
private final class BindArena {
    private var chunks: [UnsafeMutableRawBufferPointer] = []
    private var current = 0
    private var used = 0

    deinit {
        for chunk in chunks { chunk.deallocate() }
    }

    /// A copy of `bytes` that stays valid until `reset()` (a valid pointer even when empty).
    func copy(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawPointer {
        let count = max(bytes.count, 1)
        while current < chunks.count, chunks[current].count - used < count {
            current += 1
            used = 0
        }
        if current == chunks.count {
            chunks.append(.allocate(byteCount: max(count, 4096), alignment: 8))
            used = 0
        }
        let start = chunks[current].baseAddress! + used
        if let source = bytes.baseAddress { start.copyMemory(from: source, byteCount: bytes.count) }
        used += count
        return UnsafeRawPointer(start)
    }

    func reset() {
        if chunks.count > 1 {
            let size = min(chunks.reduce(0) { $0 + $1.count }, 64 << 10)
            for chunk in chunks { chunk.deallocate() }
            chunks = [.allocate(byteCount: size, alignment: 8)]
        }
        current = 0
        used = 0
    }
}

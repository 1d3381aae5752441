import CSQLite
import Foundation

/// A VFS over the system's default one that hands a connection's write-ahead-log writes
/// to the kernel as one write per commit instead of two per page.
///
/// SQLite writes each log frame as two `pwrite` calls (the 24-byte frame header, then
/// the page) and then fsyncs the log. A webhook's commit touches about 20 pages: 40
/// system calls, measured at 124 µs here against 14 µs for the same bytes in one
/// call. Writes that append to the log are kept in a buffer while they continue one
/// another and handed to the real file in one call before anything that depends on
/// them: a sync, a read, a size query or truncation, any file control, closing, a
/// write elsewhere in the file, or a full buffer.
///
/// Durability is unchanged: a commit's frames reach the real file before its fsync, in
/// the same order, and a failed write surfaces as the sync's error, which fails the
/// commit. Without a sync (a connection on `synchronous=NORMAL`) a commit is in the file
/// when COMMIT returns, as with the default VFS: the buffer is handed over as soon as a
/// commit frame (a frame header whose "database size after commit" is not zero) has its
/// page, and a write before the end of the log — SQLite rewriting the checksums of
/// frames a transaction overwrote, ending with the commit frame's header — goes straight
/// through after whatever was buffered. So other connections, and recovery after a
/// crash, see exactly what they would without it. The database file, the shared-memory
/// index and every other file go straight to the default VFS.
///
/// Only this process's store connections open files through it (by name, see
/// ``SQLiteConnection/init(path:readOnly:combineLogWrites:)``); the `sqlite3` shell or
/// another program on the same file is unaffected.
enum LogWriteCombiner {
    /// The name connections pass to `sqlite3_open_v2`.
    static let name = "sluice-log"
    /// Largest run of log bytes held back: 31 frames of 4 KiB pages. SQLite's unix VFS
    /// writes at most 128 KiB − 1 bytes per call (it masks the length with `0x1ffff`,
    /// so a write of exactly 128 KiB would write nothing and report a full disk).
    static let capacity: Int32 = 0x1FFFF

    /// Registers the VFS once per process; returns its name.
    static var registered: String {
        _ = registration
        return name
    }

    // `nonisolated(unsafe)`: each is written once, inside a lazy initialiser (Swift runs
    // those exactly once, thread-safely; `realVFS` in `registration`'s), read-only
    // afterwards.
    nonisolated(unsafe) private static var realVFS: UnsafeMutablePointer<sqlite3_vfs>!
    nonisolated(unsafe) private static let logMethods: UnsafeMutablePointer<sqlite3_io_methods> = makeLogMethods()

    private static let registration: Void = {
        guard let real = sqlite3_vfs_find(nil) else { return }
        realVFS = real
        let vfs = UnsafeMutablePointer<sqlite3_vfs>.allocate(capacity: 1)
        let header = MemoryLayout<sluice_log_file>.stride
        vfs.initialize(
            to: sqlite3_vfs(
                iVersion: 2, szOsFile: Int32(header) + real.pointee.szOsFile,
                mxPathname: real.pointee.mxPathname, pNext: nil, zName: strdup(name), pAppData: nil,
                xOpen: { _, path, file, flags, outFlags in
                    LogWriteCombiner.open(path, file!, flags, outFlags)
                },
                xDelete: { _, path, syncDir in
                    LogWriteCombiner.realVFS.pointee.xDelete(LogWriteCombiner.realVFS, path, syncDir)
                },
                xAccess: { _, path, flags, out in
                    LogWriteCombiner.realVFS.pointee.xAccess(LogWriteCombiner.realVFS, path, flags, out)
                },
                xFullPathname: { _, path, n, out in
                    LogWriteCombiner.realVFS.pointee.xFullPathname(LogWriteCombiner.realVFS, path, n, out)
                },
                xDlOpen: { _, path in LogWriteCombiner.realVFS.pointee.xDlOpen(LogWriteCombiner.realVFS, path) },
                xDlError: { _, n, out in LogWriteCombiner.realVFS.pointee.xDlError(LogWriteCombiner.realVFS, n, out) },
                xDlSym: { _, handle, symbol in
                    LogWriteCombiner.realVFS.pointee.xDlSym(LogWriteCombiner.realVFS, handle, symbol)
                },
                xDlClose: { _, handle in LogWriteCombiner.realVFS.pointee.xDlClose(LogWriteCombiner.realVFS, handle) },
                xRandomness: { _, n, out in
                    LogWriteCombiner.realVFS.pointee.xRandomness(LogWriteCombiner.realVFS, n, out)
                },
                xSleep: { _, micros in LogWriteCombiner.realVFS.pointee.xSleep(LogWriteCombiner.realVFS, micros) },
                xCurrentTime: { _, out in
                    LogWriteCombiner.realVFS.pointee.xCurrentTime(LogWriteCombiner.realVFS, out)
                },
                xGetLastError: { _, n, out in
                    LogWriteCombiner.realVFS.pointee.xGetLastError(LogWriteCombiner.realVFS, n, out)
                },
                xCurrentTimeInt64: { _, out in
                    LogWriteCombiner.realVFS.pointee.xCurrentTimeInt64(LogWriteCombiner.realVFS, out)
                },
                xSetSystemCall: nil, xGetSystemCall: nil, xNextSystemCall: nil))
        sqlite3_vfs_register(vfs, 0)
    }()

    /// Opens through the real VFS. A log file gets this VFS's methods and the real file
    /// object after its header; any other file *is* the real file object (the
    /// allocation is big enough for either).
    private static func open(
        _ path: sqlite3_filename?, _ file: UnsafeMutablePointer<sqlite3_file>, _ flags: Int32,
        _ outFlags: UnsafeMutablePointer<Int32>?
    ) -> Int32 {
        guard flags & SQLITE_OPEN_WAL != 0 else {
            return realVFS.pointee.xOpen(realVFS, path, file, flags, outFlags)
        }
        let raw = UnsafeMutableRawPointer(file)
        let log = raw.bindMemory(to: sluice_log_file.self, capacity: 1)
        let real = (raw + MemoryLayout<sluice_log_file>.stride).bindMemory(to: sqlite3_file.self, capacity: 1)
        log.initialize(
            to: sluice_log_file(
                base: sqlite3_file(pMethods: nil), real: real, buffer: nil, offset: 0, end: 0, writes: 0, length: 0,
                capacity: capacity, flushAfterNextWrite: 0))
        let rc = realVFS.pointee.xOpen(realVFS, path, real, flags, outFlags)
        // Without methods SQLite never calls xClose: set them only once the real file is open.
        if rc == SQLITE_OK { log.pointee.base.pMethods = UnsafePointer(logMethods) }
        return rc
    }

    private static func log(_ file: UnsafeMutablePointer<sqlite3_file>?) -> UnsafeMutablePointer<sluice_log_file> {
        UnsafeMutableRawPointer(file!).assumingMemoryBound(to: sluice_log_file.self)
    }

    private static func real(_ file: UnsafeMutablePointer<sqlite3_file>?) -> UnsafeMutablePointer<sqlite3_file> {
        log(file).pointee.real
    }

    private static func methods(_ file: UnsafeMutablePointer<sqlite3_file>?) -> sqlite3_io_methods {
        real(file).pointee.pMethods.pointee
    }

    /// Writes this connection's log has handed to the real file so far; nil when its log
    /// is not open through this VFS. For tests and measurements.
    static func writesHandedOver(_ connection: OpaquePointer) -> Int? {
        var file: UnsafeMutablePointer<sqlite3_file>?
        guard sqlite3_file_control(connection, "main", SQLITE_FCNTL_JOURNAL_POINTER, &file) == SQLITE_OK,
            let file, file.pointee.pMethods == UnsafePointer(logMethods)
        else { return nil }
        return Int(log(file).pointee.writes)
    }

    /// Hands the buffered run to the real file.
    private static func flush(_ file: UnsafeMutablePointer<sqlite3_file>?) -> Int32 {
        let f = log(file)
        guard f.pointee.length > 0 else { return SQLITE_OK }
        let length = f.pointee.length
        f.pointee.length = 0
        return writeThrough(file, f.pointee.buffer, length, f.pointee.offset)
    }

    private static func writeThrough(
        _ file: UnsafeMutablePointer<sqlite3_file>?, _ data: UnsafeRawPointer?, _ amount: Int32, _ offset: Int64
    ) -> Int32 {
        let f = log(file)
        f.pointee.writes += 1
        return methods(file).xWrite(f.pointee.real, data, amount, offset)
    }

    /// Buffers one write that appends to the log; after the page of a commit frame,
    /// hands the run over. A write before the log's end goes straight through.
    private static func write(
        _ file: UnsafeMutablePointer<sqlite3_file>?, _ data: UnsafeRawPointer?, _ amount: Int32, _ offset: Int64
    ) -> Int32 {
        let f = log(file)
        // The log header is written at offset 0 when a log starts (again): frames follow it.
        if offset == 0 { f.pointee.end = 0 }
        if offset < f.pointee.end {
            let rc = flush(file)
            guard rc == SQLITE_OK else { return rc }
            return writeThrough(file, data, amount, offset)
        }
        f.pointee.end = offset + Int64(amount)
        let rc = buffer(file, data, amount, offset)
        guard rc == SQLITE_OK else { return rc }
        if f.pointee.flushAfterNextWrite != 0 {
            f.pointee.flushAfterNextWrite = 0
            return flush(file)
        }
        // A frame header (24 bytes: page number, database size after commit, salts,
        // checksum, big-endian) with a non-zero size marks a commit frame.
        if amount == 24, let data {
            let b = data.assumingMemoryBound(to: UInt8.self)
            if b[4] | b[5] | b[6] | b[7] != 0 { f.pointee.flushAfterNextWrite = 1 }
        }
        return SQLITE_OK
    }

    private static func buffer(
        _ file: UnsafeMutablePointer<sqlite3_file>?, _ data: UnsafeRawPointer?, _ amount: Int32, _ offset: Int64
    ) -> Int32 {
        let f = log(file)
        let length = f.pointee.length
        if length > 0, offset == f.pointee.offset + Int64(length), length + amount <= f.pointee.capacity {
            UnsafeMutableRawPointer(f.pointee.buffer! + Int(length)).copyMemory(from: data!, byteCount: Int(amount))
            f.pointee.length = length + amount
            return SQLITE_OK
        }
        let rc = flush(file)
        guard rc == SQLITE_OK else { return rc }
        if f.pointee.buffer == nil, amount <= f.pointee.capacity {
            f.pointee.buffer = UnsafeMutablePointer<UInt8>(
                OpaquePointer(sqlite3_malloc(f.pointee.capacity)))
        }
        guard amount <= f.pointee.capacity, let buffer = f.pointee.buffer else {
            return writeThrough(file, data, amount, offset)
        }
        buffer.update(from: data!.assumingMemoryBound(to: UInt8.self), count: Int(amount))
        f.pointee.offset = offset
        f.pointee.length = amount
        return SQLITE_OK
    }

    private static func makeLogMethods() -> UnsafeMutablePointer<sqlite3_io_methods> {
        let m = UnsafeMutablePointer<sqlite3_io_methods>.allocate(capacity: 1)
        m.initialize(
            to: sqlite3_io_methods(
                iVersion: 1,
                xClose: { file in
                    let rc = LogWriteCombiner.flush(file)
                    let f = LogWriteCombiner.log(file)
                    sqlite3_free(f.pointee.buffer)
                    f.pointee.buffer = nil
                    let closed = LogWriteCombiner.methods(file).xClose(f.pointee.real)
                    return rc == SQLITE_OK ? closed : rc
                },
                xRead: { file, out, amount, offset in
                    let rc = LogWriteCombiner.flush(file)
                    guard rc == SQLITE_OK else { return rc }
                    return LogWriteCombiner.methods(file).xRead(LogWriteCombiner.real(file), out, amount, offset)
                },
                xWrite: { file, data, amount, offset in LogWriteCombiner.write(file, data, amount, offset) },
                xTruncate: { file, size in
                    let rc = LogWriteCombiner.flush(file)
                    guard rc == SQLITE_OK else { return rc }
                    let f = LogWriteCombiner.log(file)
                    f.pointee.end = min(f.pointee.end, size)
                    return LogWriteCombiner.methods(file).xTruncate(LogWriteCombiner.real(file), size)
                },
                xSync: { file, flags in
                    let rc = LogWriteCombiner.flush(file)
                    guard rc == SQLITE_OK else { return rc }
                    return LogWriteCombiner.methods(file).xSync(LogWriteCombiner.real(file), flags)
                },
                xFileSize: { file, size in
                    let rc = LogWriteCombiner.flush(file)
                    guard rc == SQLITE_OK else { return rc }
                    return LogWriteCombiner.methods(file).xFileSize(LogWriteCombiner.real(file), size)
                },
                xLock: { file, level in LogWriteCombiner.methods(file).xLock(LogWriteCombiner.real(file), level) },
                xUnlock: { file, level in
                    LogWriteCombiner.methods(file).xUnlock(LogWriteCombiner.real(file), level)
                },
                xCheckReservedLock: { file, out in
                    LogWriteCombiner.methods(file).xCheckReservedLock(LogWriteCombiner.real(file), out)
                },
                xFileControl: { file, op, arg in
                    let rc = LogWriteCombiner.flush(file)
                    guard rc == SQLITE_OK else { return rc }
                    return LogWriteCombiner.methods(file).xFileControl(LogWriteCombiner.real(file), op, arg)
                },
                xSectorSize: { file in LogWriteCombiner.methods(file).xSectorSize(LogWriteCombiner.real(file)) },
                xDeviceCharacteristics: { file in
                    LogWriteCombiner.methods(file).xDeviceCharacteristics(LogWriteCombiner.real(file))
                },
                xShmMap: nil, xShmLock: nil, xShmBarrier: nil, xShmUnmap: nil, xFetch: nil, xUnfetch: nil))
        return m
    }
}

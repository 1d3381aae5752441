import Foundation
import Testing

@testable import Core

/// The write-combining VFS must be invisible: whatever a connection writes through it,
/// a connection on SQLite's default VFS reads back the same database.
@Suite struct LogWriteCombinerTests {
    let dir = TemporaryDirectory()

    /// A connection as the store opens it, with a tiny page cache so a long transaction
    /// spills pages into the log mid-transaction, reads them back and rewrites them in
    /// place — every path through the buffer.
    func writer(_ path: String) throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: path)
        try SQLiteStore.configure(db)
        try db.execute("PRAGMA cache_size=10")
        try db.execute("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, k TEXT UNIQUE, v BLOB)")
        return db
    }

    func plain(_ path: String) throws -> SQLiteConnection {
        let db = try SQLiteConnection(path: path, combineLogWrites: false)
        db.setBusyTimeout(milliseconds: 5000)
        return db
    }

    func blob(_ i: Int, _ round: Int) -> [UInt8] {
        (0..<700).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ i &* 7 &+ round) }
    }

    /// Aggregates over every row, computed by SQLite itself.
    func digest(_ db: SQLiteConnection) throws -> [Int64] {
        let s = try db.prepare(
            "SELECT count(*), sum(length(v)), sum(unicode(substr(k, 1))), sum(id * length(k)) FROM t")
        defer { s.reset() }
        _ = try s.step()
        return (0..<4).map { s.int(Int32($0)) }
    }

    func checksum(_ db: SQLiteConnection) throws -> Int64 {
        let s = try db.prepare("SELECT id, v FROM t ORDER BY id")
        defer { s.reset() }
        var h: Int64 = 0
        while try s.step() {
            for b in s.blob(1) ?? [] { h = h &* 1_000_003 &+ Int64(b) }
            h = h &+ s.int(0)
        }
        return h
    }

    @Test func aLongTransactionReadsBackWhatItSpilledAndAnotherVFSSeesTheSame() throws {
        let path = dir.file("a.db")
        let db = try writer(path)
        try db.transaction {
            for i in 0..<3000 {
                try db.prepare("INSERT INTO t (k, v) VALUES (?, ?)").bind(1, "key-\(i * 7919 % 3000)").bind(
                    2, blob(i, 0)
                )
                .run()
                // Reads of spilled pages flush the buffer first.
                if i % 250 == 249 {
                    let n = try db.prepare("SELECT count(*) FROM t WHERE k < 'key-5'").oneInt() ?? 0
                    #expect(n > 0)
                }
            }
            // Rewrites pages already in the log within the same transaction.
            try db.prepare("UPDATE t SET v = ? WHERE id % 3 = 0").bind(1, blob(1, 1)).run()
        }
        let expected = (try digest(db), try checksum(db))

        let other = try plain(path)
        #expect(try digest(other) == expected.0)
        #expect(try checksum(other) == expected.1)
        #expect(try other.pragma("integrity_check") == "ok")
    }

    @Test func aRolledBackTransactionLeavesNothingBehind() throws {
        let path = dir.file("a.db")
        let db = try writer(path)
        try db.prepare("INSERT INTO t (k, v) VALUES ('kept', x'01')").run()
        try db.execute("BEGIN")
        for i in 0..<2000 {
            try db.prepare("INSERT INTO t (k, v) VALUES (?, ?)").bind(1, "gone-\(i)").bind(2, blob(i, 2)).run()
        }
        try db.execute("ROLLBACK")
        try db.prepare("INSERT INTO t (k, v) VALUES ('after', x'02')").run()

        let other = try plain(path)
        #expect(
            try other.prepare("SELECT group_concat(k, ',') FROM (SELECT k FROM t ORDER BY id)").oneText()
                == "kept,after")
        #expect(try other.pragma("integrity_check") == "ok")
    }

    /// After a checkpoint the log starts over from its header (written and synced
    /// through the buffer), and the default VFS reads on without recovery trouble.
    @Test func theLogRestartsAfterACheckpoint() throws {
        let path = dir.file("a.db")
        let db = try writer(path)
        let other = try plain(path)
        for round in 0..<4 {
            try db.transaction {
                for i in 0..<400 {
                    try db.prepare("INSERT OR REPLACE INTO t (k, v) VALUES (?, ?)").bind(1, "r\(i)").bind(
                        2, blob(i, round)
                    ).run()
                }
            }
            #expect(try checksum(other) == checksum(db))
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        }
        #expect(try other.pragma("integrity_check") == "ok")
        #expect(try digest(other)[0] == 400)
    }

    /// Without a sync at commit, SQLite publishes the frames to other connections right
    /// after writing them: the commit frame must have reached the file by then.
    @Test func aCommitWithoutASyncIsReadableByAnotherConnectionAtOnce() throws {
        let path = dir.file("a.db")
        let db = try writer(path)
        try db.execute("PRAGMA synchronous=OFF")
        let other = try plain(path)
        for i in 0..<200 {
            try db.prepare("INSERT INTO t (k, v) VALUES (?, ?)").bind(1, "k\(i)").bind(2, blob(i, 3)).run()
            #expect(try other.prepare("SELECT count(*) FROM t").oneInt() == Int64(i + 1))
            let s = try other.prepare("SELECT v FROM t WHERE k = ?").bind(1, "k\(i)")
            #expect(try s.step() && s.blob(0) == blob(i, 3))
            s.reset()
        }
    }

    /// A store opened through the VFS and reopened without it: same leads.
    @Test func aStoreReopenedOnTheDefaultVFSHasEveryLead() async throws {
        let path = dir.file("s.db")
        let vendor = RecordAdapter.vendor()
        do {
            let store = try SQLiteStore(path: path)
            let t = try await store.createTenant(name: "A")
            let items = try (0..<500).map { i in
                try Ingestor.prepare(
                    vendor: vendor, record: .of(["id": "L\(i)", "purchase": "P\(i)", "phone": "55520\(10000 + i)"]),
                    tenantId: t.id, enrich: true, receivedAt: Date())
            }
            let results = try await store.ingest(batch: items)
            #expect(results.allSatisfy { (try? $0.get())?.outcome == .created })
        }
        let other = try plain(path)
        #expect(try other.prepare("SELECT count(*) FROM leads").oneInt() == 500)
        #expect(try other.prepare("SELECT count(*) FROM purchases").oneInt() == 500)
        #expect(try other.pragma("integrity_check") == "ok")
    }

    /// A connection that commits without a sync (`synchronous=NORMAL`) must leave the
    /// commit in the file at once. Here the transaction overwrites pages it had already
    /// spilled into the log, so SQLite rewrites frame checksums before the commit frame
    /// becomes valid; a crash right after COMMIT (the files copied as they are) must
    /// still recover every row.
    @Test func aCommitWithoutASyncIsInTheFileAtOnceEvenWhenFramesAreRewritten() throws {
        let path = dir.file("a.db")
        let db = try writer(path)
        try db.execute("PRAGMA synchronous=NORMAL")
        try db.transaction {
            for i in 0..<2000 {
                try db.prepare("INSERT INTO t (k, v) VALUES (?, ?)").bind(1, "key-\(i)").bind(2, blob(i, 0)).run()
            }
            for id in stride(from: 1, through: 2000, by: 7) {
                try db.prepare("UPDATE t SET v = ? WHERE id = ?").bind(1, blob(id, 1)).bind(2, Int64(id)).run()
            }
        }
        // Copied before anything else touches the connection (a read would hand the
        // buffer over).
        let copy = dir.file("crashed.db")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        try FileManager.default.copyItem(atPath: path + "-wal", toPath: copy + "-wal")
        let expected = try digest(db)
        #expect(try digest(try plain(copy)) == expected)
        #expect(expected[0] == 2000)
    }

    /// The point of the VFS: a small commit reaches the kernel in about one write, not
    /// two per page.
    @Test func aSmallCommitIsOneWrite() throws {
        let db = try writer(dir.file("a.db"))
        let before = try #require(db.logWritesHandedOver)
        for i in 0..<50 {
            try db.transaction {
                for j in 0..<5 {
                    try db.prepare("INSERT INTO t (k, v) VALUES (?, ?)").bind(1, "key-\(i)-\(j)").bind(2, blob(i, j))
                        .run()
                }
            }
        }
        let writes = try #require(db.logWritesHandedOver) - before
        // Each commit touches at least two pages (table and index): four writes without the VFS.
        #expect(writes >= 50 && writes <= 55)
    }
}

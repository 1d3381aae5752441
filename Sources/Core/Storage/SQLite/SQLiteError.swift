/// A failed SQLite call. `description` is safe to log: the SQL text and SQLite's
/// message, never bound values.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    /// The primary result code (`SQLITE_CONSTRAINT` = 19, `SQLITE_BUSY` = 5, …).
    public var code: Int32
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE` = 2067, …).
    public var extendedCode: Int32
    public var message: String
    /// The statement that failed, when there is one.
    public var sql: String?

    public init(code: Int32, extendedCode: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.extendedCode = extendedCode
        self.message = message
        self.sql = sql
    }

    public var description: String {
        var s = "SQLite error \(extendedCode): \(message)"
        if let sql { s += " [\(sql.prefix(120))]" }
        return s
    }

    /// A UNIQUE or PRIMARY KEY constraint refused a write.
    public var isUniqueViolation: Bool { extendedCode == 2067 || extendedCode == 1555 }
    /// The database was locked by another connection for longer than the busy timeout.
    public var isBusy: Bool { code == 5 || code == 6 }
}

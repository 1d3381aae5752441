/// The result of one CSV import, exactly as the upload and `sluice import --json` answer:
/// `rows = created + updated + unchanged + skipped`; `errorCount` counts the skipped rows
/// with a reason; `errors` holds the first ``ImportReply/maxListedErrors``.
public struct ImportReply: Sendable, Hashable {
    public struct RowError: Sendable, Hashable {
        /// 1-based data record.
        public var row: Int
        /// Physical line where the record starts.
        public var line: Int
        public var message: String
        public init(row: Int, line: Int, message: String) {
            self.row = row
            self.line = line
            self.message = message
        }
    }

    public static let maxListedErrors = 100
    public static let maxListedLeads = 500

    public var batchId: String
    /// The vendor key, or `mixed` when rows of several vendors were in the file.
    public var vendor: String
    /// Rows per vendor key.
    public var vendors: [String: Int] = [:]
    public var rows = 0
    public var created = 0
    public var updated = 0
    public var unchanged = 0
    public var skipped = 0
    public var errorCount = 0
    public var errors: [RowError] = []
    /// Leads created or updated, first 500 (for the `import_completed` event).
    public var leadIds: [String] = []

    public init(batchId: String, vendor: String) {
        self.batchId = batchId
        self.vendor = vendor
    }

    mutating func reject(row: Int, line: Int, message: String) {
        rows += 1
        skipped += 1
        errorCount += 1
        if errors.count < ImportReply.maxListedErrors {
            errors.append(RowError(row: row, line: line, message: message))
        }
    }

    /// The `import_progress` event data.
    public func progressJSON(clientRef: String?, bytes: Int, totalBytes: Int?, rowsRead: Int, done: Bool) -> String {
        var w = JSONWriter()
        w.beginObject()
        w.member("batchId", batchId)
        w.member("clientRef", clientRef)
        w.key("bytes")
        w.value(bytes)
        w.key("totalBytes")
        w.value(totalBytes.map(Int64.init))
        w.key("rows")
        w.value(rowsRead)
        w.key("done")
        w.value(done)
        w.endObject()
        return w.string
    }

    /// The contract's JSON object; `leadIds` only when asked (events carry it, replies don't).
    public func json(includeLeadIds: Bool = false) -> String {
        var w = JSONWriter(capacity: 512)
        w.beginObject()
        w.key("success")
        w.value(true)
        w.member("batchId", batchId)
        w.member("vendor", vendor)
        w.key("vendors")
        w.beginObject()
        for k in vendors.keys.sorted() {
            w.key(k)
            w.value(vendors[k]!)
        }
        w.endObject()
        for (k, v) in [
            ("rows", rows), ("created", created), ("updated", updated), ("unchanged", unchanged),
            ("skipped", skipped), ("errorCount", errorCount),
        ] {
            w.key(k)
            w.value(v)
        }
        w.key("errors")
        w.beginArray()
        for e in errors {
            w.beginObject()
            w.key("row")
            w.value(e.row)
            w.key("line")
            w.value(e.line)
            w.member("message", e.message)
            w.endObject()
        }
        w.endArray()
        if includeLeadIds {
            w.key("leadIds")
            w.beginArray()
            for id in leadIds { w.value(id) }
            w.endArray()
        }
        w.endObject()
        return w.string
    }
}

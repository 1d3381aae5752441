/// One data record of a CSV file, checked against the header: exactly one value per
/// column, valid UTF-8, values verbatim (not trimmed).
///
/// The row is stored as the ``VendorRecord`` an adapter reads, so ``record()`` costs
/// nothing; ``values`` builds a `[String]` on demand (for error reports).
///
/// ```swift
/// case .row(let row):
///     let record = row.record()          // VendorRecord for an adapter
///     print(row.row, row["phone"] ?? "")
/// ```
public struct CSVRow: Sendable, Hashable {
    /// 1-based data record number (the header is not counted, nor are blank lines).
    public let row: Int
    /// 1-based physical line where the record starts.
    public let line: Int
    private let storage: VendorRecord

    public init(row: Int, line: Int, names: FieldNames, values: [String]) {
        self.init(row: row, line: line, record: VendorRecord(names: names, values: values.map(JSONValue.string)))
    }

    /// A row from a record whose values are all `.string`.
    init(row: Int, line: Int, record: VendorRecord) {
        self.row = row
        self.line = line
        self.storage = record
    }

    /// The header's names, shared by all rows of the file.
    public var names: FieldNames { storage.names }

    /// One value per header column, in column order.
    public var values: [String] { storage.values.map { $0.text ?? "" } }

    /// The value of the first column called `name`, or `nil` when there is no such column.
    public subscript(name: String) -> String? { storage[name]?.text }

    /// The row as an adapter reads it: every cell a `.string`.
    public func record() -> VendorRecord { storage }
}

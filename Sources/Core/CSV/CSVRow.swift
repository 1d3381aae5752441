/// One data record of a CSV file, checked against the header: exactly one value per
/// column, valid UTF-8, values verbatim (not trimmed).
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
    /// The header's names, shared by all rows of the file.
    public let names: FieldNames
    /// One value per header column, in column order.
    public let values: [String]

    public init(row: Int, line: Int, names: FieldNames, values: [String]) {
        precondition(names.count == values.count, "one value per column")
        self.row = row
        self.line = line
        self.names = names
        self.values = values
    }

    /// The value of the first column called `name`, or `nil` when there is no such column.
    public subscript(name: String) -> String? {
        names.index(of: name).map { values[$0] }
    }

    /// The row as an adapter reads it: every cell a `.string`.
    public func record() -> VendorRecord {
        VendorRecord(names: names, values: values.map(JSONValue.string))
    }
}

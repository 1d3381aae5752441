/// The first record of a CSV file: its column names, trimmed of surrounding whitespace.
///
/// Duplicate and blank names are kept (so every data row still lines up with the
/// header) and listed in ``problems``; for lookups by name the first column of a name
/// wins (see ``FieldNames``). Immutable, `Sendable`.
public struct CSVHeader: Sendable, Hashable {
    /// The column names, built once and shared by every ``CSVRow`` of the file.
    public let names: FieldNames
    /// 1-based physical line of the header record (2 or more after leading blank lines).
    public let line: Int
    /// Duplicate or blank names, one error each, in column order (row 0).
    public let problems: [CSVError]

    /// Reads the header from the decoded fields of the first record.
    public init(fields: [String], line: Int) {
        let names = fields.map { $0.trimmingWhitespace() }
        var problems: [CSVError] = []
        var seen: [String: Int] = [:]
        for (i, name) in names.enumerated() {
            if name.isEmpty {
                problems.append(
                    CSVError(
                        .blankHeader, "header column \(i + 1) has no name", row: 0, line: line))
            } else if let first = seen[name] {
                problems.append(
                    CSVError(
                        .duplicateHeader,
                        "header column \(i + 1) repeats the name '\(name)' of column \(first + 1); "
                            + "lookups by name use column \(first + 1)",
                        row: 0, line: line))
            } else {
                seen[name] = i
            }
        }
        self.names = FieldNames(names)
        self.line = line
        self.problems = problems
    }
}

/// A problem in a CSV file, pointing at the record where it was found.
///
/// Row errors (a ragged row, invalid UTF-8, a record over the size limit…) skip one
/// record and the rest of the file keeps importing; header errors stop the file.
/// ``message`` never contains a cell value, so ``description`` is safe to log:
///
/// ```
/// leads.csv:14: error: row 12: row has 41 fields, header has 42
/// ```
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of problem; compare against the static members of ``Code``.
    public var code: Code
    /// One sentence without location and without cell values.
    public var message: String
    /// 1-based data record number (the header is row 0; blank lines are not counted).
    public var row: Int
    /// 1-based physical line where the record starts (header and blank lines counted);
    /// 0 when the error is about the whole file (it could not be read).
    public var line: Int
    /// File name as given by the user, for ``description`` only; `nil` when not from a file.
    public var file: String?

    public init(_ code: Code, _ message: String, row: Int, line: Int, file: String? = nil) {
        self.code = code
        self.message = message
        self.row = row
        self.line = line
        self.file = file
    }

    /// `file:line: error: row N: message`; `line N: …` without a file name; no line
    /// part when the error is about the file as a whole (line 0).
    public var description: String {
        let place: String
        switch (file, line > 0) {
        case (let file?, true): place = "\(file):\(line)"
        case (let file?, false): place = file
        case (nil, true): place = "line \(line)"
        case (nil, false): place = "input"
        }
        let what = row > 0 ? "row \(row): \(message)" : message
        return "\(place): error: \(what)"
    }

    /// An extensible set of CSV error codes (snake_case raw values): new codes never break callers.
    public struct Code: RawRepresentable, Sendable, Hashable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public var description: String { rawValue }

        /// A quoted field is still open at the end of the input.
        public static let unterminatedQuote: Code = "unterminated_quote"
        /// Text follows a closing quote (`"abc"def`); the record is skipped.
        public static let textAfterQuote: Code = "text_after_quote"
        /// One record is larger than the parser's limit; it is skipped.
        public static let recordTooLarge: Code = "record_too_large"
        /// A value is not valid UTF-8.
        public static let invalidUTF8: Code = "invalid_utf8"
        /// A data row has more or fewer fields than the header.
        public static let fieldCount: Code = "field_count"
        /// The input holds no record at all (not even a header).
        public static let emptyFile: Code = "empty_file"
        /// The header record cannot be read (see the message); nothing is imported.
        public static let invalidHeader: Code = "invalid_header"
        /// Two header columns have the same name; the first one wins for lookups.
        public static let duplicateHeader: Code = "duplicate_header"
        /// A header column has no name (often a trailing comma).
        public static let blankHeader: Code = "blank_header"
        /// Reading the file failed (open or read).
        public static let io: Code = "io"
    }
}

/// A CSV file read as a table: the first record is the header, every later record a
/// ``CSVRow`` with one value per column, or a row error.
///
/// Streaming like ``CSVParser`` (feed chunks of any size, then ``finish(_:)``). A row
/// error skips that record only; the rest of the file keeps importing. Events, in order:
/// - ``Event/header(_:)`` once, before any row (check its `problems`);
/// - ``Event/row(_:)`` or ``Event/rowError(_:)`` per data record: wrong field count
///   (``CSVError/Code/fieldCount``), invalid UTF-8, unterminated quote, text after a
///   closing quote, record over the size limit;
/// - ``Event/failed(_:)`` instead of everything when there is no usable header
///   (empty input, or a header that is not valid UTF-8 or not well-formed); nothing
///   follows it.
///
/// Plain value, not thread-safe; one table per input.
///
/// ```swift
/// var table = CSVTable()
/// table.feed(chunk) { event in
///     switch event {
///     case .header(let h): detect(h.names)
///     case .row(let r): ingest(r.record())
///     case .rowError(let e): report(e.row, e.line, e.message)
///     case .failed(let e): print(e)
///     }
/// }
/// table.finish { … }
/// ```
public struct CSVTable: Sendable {
    /// What the table reports, in input order.
    public enum Event: Sendable, Hashable {
        case header(CSVHeader)
        case row(CSVRow)
        case rowError(CSVError)
        case failed(CSVError)
    }

    private var parser: CSVParser
    private var header: CSVHeader?
    private var failed = false

    /// - Parameter maxRecordBytes: larger records are reported and skipped.
    public init(maxRecordBytes: Int = CSVParser.defaultMaxRecordBytes) {
        parser = CSVParser(maxRecordBytes: maxRecordBytes)
    }

    /// The header, once it has been read.
    public var currentHeader: CSVHeader? { header }

    /// Parses one chunk, calling `emit` for every event it completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Event) -> Void) {
        // Moved out for the call: the callback mutates `self`, which may not overlap an
        // access to `self.parser`.
        var parser = self.parser
        self.parser = CSVParser()
        parser.feed(chunk) { handle($0, emit) }
        self.parser = parser
    }

    /// Parses one chunk held in an array.
    public mutating func feed(_ chunk: [UInt8], _ emit: (Event) -> Void) {
        chunk.withUnsafeBytes { feed($0, emit) }
    }

    /// Ends the input; reports an empty input as ``Event/failed(_:)``.
    public mutating func finish(_ emit: (Event) -> Void) {
        var parser = self.parser
        self.parser = CSVParser()
        parser.finish { handle($0, emit) }
        self.parser = parser
        if header == nil && !failed {
            failed = true
            emit(.failed(CSVError(.emptyFile, "the file is empty (no header)", row: 0, line: 1)))
        }
    }

    private mutating func handle(_ event: CSVParser.Event, _ emit: (Event) -> Void) {
        guard !failed else { return }
        switch event {
        case .record(let record):
            if let header {
                emit(row(record, header))
            } else {
                readHeader(record, emit)
            }
        case .error(var error):
            if header == nil {
                failed = true
                error.message = "header: " + error.message
                emit(.failed(error))
            } else {
                emit(.rowError(error))
            }
        }
    }

    private mutating func readHeader(_ record: CSVRecord, _ emit: (Event) -> Void) {
        switch record.strings() {
        case .success(let fields):
            let header = CSVHeader(fields: fields, line: record.line)
            self.header = header
            emit(.header(header))
        case .failure(let bad):
            failed = true
            emit(
                .failed(
                    CSVError(
                        .invalidHeader,
                        "header column \(bad.field + 1) is not valid UTF-8 (byte \(bad.offset + 1)); "
                            + "save the file as UTF-8",
                        row: 0, line: record.line)))
        }
    }

    private func row(_ record: CSVRecord, _ header: CSVHeader) -> Event {
        let names = header.names
        guard record.count == names.count else {
            return .rowError(
                CSVError(
                    .fieldCount, "row has \(record.count) fields, header has \(names.count)",
                    row: record.row, line: record.line))
        }
        switch record.decode(JSONValue.string) {
        case .success(let values):
            let vendorRecord = VendorRecord(names: names, values: values)
            return .row(CSVRow(row: record.row, line: record.line, record: vendorRecord))
        case .failure(let bad):
            let column = names.names[bad.field]
            let label = column.isEmpty ? "column \(bad.field + 1)" : "column \(bad.field + 1) '\(column)'"
            return .rowError(
                CSVError(
                    .invalidUTF8, "invalid UTF-8 in \(label) at byte \(bad.offset + 1) of the value",
                    row: record.row, line: record.line))
        }
    }
}

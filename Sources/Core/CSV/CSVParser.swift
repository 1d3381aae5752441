/// A streaming RFC 4180 parser: bytes in, records out, one chunk at a time.
///
/// Feed chunks of any size, split anywhere (inside a quoted field, between CR and LF,
/// inside a UTF-8 sequence), then call ``finish(_:)`` once. Memory grows only with the
/// longest record, and a record over ``maxRecordBytes`` is reported and skipped.
///
/// Rules:
/// - comma-separated; a field that starts with `"` is quoted, `""` inside it is a quote,
///   and CR, LF or CRLF inside it are kept verbatim (and advance the line counter);
/// - records end at CRLF, LF or a lone CR; a UTF-8 byte order mark at the very start is
///   dropped; empty lines are skipped and not counted as records;
/// - lenient: a `"` inside an unquoted field is kept literally;
/// - strict: text after a closing quote (`"abc"def`) makes the record a
///   ``CSVError/Code/textAfterQuote`` error; parsing resumes with the next record.
///
/// Plain value, not thread-safe; one parser per input.
///
/// ```swift
/// var parser = CSVParser()
/// parser.feed(chunk) { event in … }
/// parser.finish { event in … }
/// ```
public struct CSVParser: Sendable {
    /// The default record size limit, 1 MiB.
    public static let defaultMaxRecordBytes = 1 << 20

    /// What the parser reports, in input order.
    public enum Event: Sendable, Hashable {
        /// A complete, well-formed record.
        case record(CSVRecord)
        /// A record that was skipped; its `row` number is used up all the same.
        case error(CSVError)
    }

    /// Largest record kept, in unescaped bytes plus one per field separator.
    public let maxRecordBytes: Int

    private enum State: UInt8 {
        case recordStart, fieldStart, unquoted, quoted, quoteInQuoted
    }

    private var state = State.recordStart
    private var bytes: [UInt8] = []
    private var fieldEnds: [Int] = []
    /// Physical line of the next byte.
    private var line = 1
    private var recordLine = 1
    private var row = 0
    /// The last byte of the previous chunk was a CR (so a leading LF completes a CRLF).
    private var previousChunkEndedWithCR = false
    /// Up to 3 leading bytes held back until we know whether they are a BOM.
    private var head: [UInt8]? = []
    private var tooLarge = false
    private var textAfterQuoteField: Int?
    private var finished = false

    public init(maxRecordBytes: Int = CSVParser.defaultMaxRecordBytes) {
        precondition(maxRecordBytes > 0, "maxRecordBytes must be positive")
        self.maxRecordBytes = maxRecordBytes
    }

    /// Parses one chunk, calling `emit` for every record it completes.
    public mutating func feed(_ chunk: UnsafeRawBufferPointer, _ emit: (Event) -> Void) {
        precondition(!finished, "feed after finish")
        guard var pending = head else {
            scan(chunk.assumingMemoryBound(to: UInt8.self), emit)
            return
        }
        // The BOM may be split over chunks: collect the first 3 bytes before deciding.
        let take = min(3 - pending.count, chunk.count)
        pending.append(contentsOf: chunk.prefix(take))
        if pending.count < 3 && pending[...] == Self.bom.prefix(pending.count) {
            // Still possibly a BOM: wait for more bytes.
            head = pending
            return
        }
        head = nil
        if pending != Self.bom {
            pending.withUnsafeBufferPointer { scan($0, emit) }
        }
        scanRest(chunk, from: take, emit)
    }

    /// Parses one chunk held in an array.
    public mutating func feed(_ chunk: [UInt8], _ emit: (Event) -> Void) {
        chunk.withUnsafeBytes { feed($0, emit) }
    }

    /// Ends the input: emits the last record (no trailing newline needed) or the
    /// unterminated-quote error. The parser accepts no more input afterwards.
    public mutating func finish(_ emit: (Event) -> Void) {
        precondition(!finished, "finish called twice")
        if let pending = head, !pending.isEmpty {
            head = nil
            pending.withUnsafeBufferPointer { scan($0, emit) }
        }
        head = nil
        finished = true
        switch state {
        case .recordStart:
            break
        case .fieldStart, .unquoted, .quoteInQuoted:
            endField()
            endRecord(emit)
        case .quoted:
            let which = tooLarge ? "a quoted field" : "quoted field \(fieldEnds.count + 1)"
            emit(
                .error(
                    CSVError(
                        .unterminatedQuote, "\(which) is not closed before the end of the file",
                        row: row, line: recordLine)))
            row += 1
        }
    }

    private static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]

    private mutating func scanRest(
        _ chunk: UnsafeRawBufferPointer, from offset: Int, _ emit: (Event) -> Void
    ) {
        guard offset < chunk.count else { return }
        scan(UnsafeRawBufferPointer(rebasing: chunk[offset...]).assumingMemoryBound(to: UInt8.self), emit)
    }
}

// The scanner. Hot path: runs of ordinary bytes are found with a tight loop and copied
// in one `append`; only structural bytes go through the state switch.
extension CSVParser {
    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")

    private mutating func scan(_ p: UnsafeBufferPointer<UInt8>, _ emit: (Event) -> Void) {
        let n = p.count
        guard n > 0 else { return }
        let quote = Self.quote
        let comma = Self.comma
        let cr = Self.cr
        let lf = Self.lf
        // An LF right after a CR completes a CRLF: no new line, no blank record.
        let carriedCR = previousChunkEndedWithCR
        func followsCR(_ i: Int) -> Bool { i > 0 ? p[i - 1] == cr : carriedCR }

        var state = self.state
        var i = 0
        while i < n {
            switch state {
            case .recordStart:
                let b = p[i]
                if b == lf {
                    if !followsCR(i) { line += 1 }  // a blank line, or the LF of a CRLF
                    i += 1
                } else if b == cr {
                    line += 1
                    i += 1
                } else {
                    recordLine = line
                    state = .fieldStart
                }

            case .fieldStart:
                if p[i] == quote {
                    state = .quoted
                    i += 1
                } else {
                    state = .unquoted
                }

            case .unquoted:
                let start = i
                i = Self.unquotedEnd(p, from: i)
                append(p, start, i)
                guard i < n else { break }
                let b = p[i]
                i += 1
                endField()
                if b == comma {
                    state = .fieldStart
                } else {
                    line += 1
                    endRecord(emit)
                    state = .recordStart
                }

            case .quoted:
                let start = i
                while i < n {
                    let b = p[i]
                    if b > quote {
                        i += 1
                        continue
                    }
                    if b == quote { break }
                    if b == lf {
                        if !followsCR(i) { line += 1 }
                    } else if b == cr {
                        line += 1
                    }
                    i += 1
                }
                append(p, start, i)
                guard i < n else { break }
                i += 1
                state = .quoteInQuoted

            case .quoteInQuoted:
                let b = p[i]
                if b == quote {  // `""` is one literal quote
                    append(p, i, i + 1)
                    state = .quoted
                    i += 1
                } else if b == comma {
                    endField()
                    state = .fieldStart
                    i += 1
                } else if b == lf || b == cr {
                    endField()
                    line += 1
                    endRecord(emit)
                    state = .recordStart
                    i += 1
                } else {
                    // `"abc"def`: keep scanning the record as unquoted text so quoting
                    // stays in step, then report the whole record.
                    if textAfterQuoteField == nil { textAfterQuoteField = fieldEnds.count }
                    state = .unquoted
                }
            }
        }
        self.state = state
        previousChunkEndedWithCR = p[n - 1] == cr
    }

    /// Index of the first `,`, CR or LF at or after `i`, or `p.count`.
    ///
    /// Every structural byte is below `-` (0x2D): eight bytes at a time are skipped when
    /// none of them is (the "has a byte less than n" bit trick, exact for n ≤ 128).
    private static func unquotedEnd(_ p: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let n = p.count
        var i = start
        guard let base = p.baseAddress else { return i }
        let raw = UnsafeRawPointer(base)
        let ones: UInt64 = 0x0101_0101_0101_0101
        while i + 8 <= n {
            let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            if (w &- ones &* 0x2D) & ~w & (ones &* 0x80) != 0 { break }
            i += 8
        }
        while i < n {
            let b = p[i]
            if b <= comma && (b == comma || b == lf || b == cr) { break }
            i += 1
        }
        return i
    }

    private mutating func append(_ p: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) {
        guard end > start, !tooLarge else { return }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<end]))
        if bytes.count + fieldEnds.count > maxRecordBytes { dropOversizedRecord() }
    }

    private mutating func endField() {
        guard !tooLarge else { return }
        fieldEnds.append(bytes.count)
        if bytes.count + fieldEnds.count > maxRecordBytes { dropOversizedRecord() }
    }

    /// Forgets what was kept of the current record; it is still scanned to its end
    /// (quote-aware) so the next record starts in the right place.
    private mutating func dropOversizedRecord() {
        tooLarge = true
        bytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
    }

    private mutating func endRecord(_ emit: (Event) -> Void) {
        if tooLarge {
            emit(
                .error(
                    CSVError(
                        .recordTooLarge,
                        "record is larger than \(maxRecordBytes) bytes (an unbalanced quote?); skipped",
                        row: row, line: recordLine)))
        } else if let field = textAfterQuoteField {
            emit(
                .error(
                    CSVError(
                        .textAfterQuote, "text after the closing quote of field \(field + 1)",
                        row: row, line: recordLine)))
        } else {
            emit(.record(CSVRecord(row: row, line: recordLine, bytes: bytes, fieldEnds: fieldEnds)))
        }
        row += 1
        bytes.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        tooLarge = false
        textAfterQuoteField = nil
    }
}

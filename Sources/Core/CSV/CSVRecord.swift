/// One record as the byte-level ``CSVParser`` found it: unescaped field bytes, not yet
/// checked for UTF-8.
///
/// All fields share one byte array; `fieldEnds[i]` is where field `i` ends in it.
/// A value: keeping it is safe (the parser's next record writes to a fresh copy), but
/// the cheap path is to read it inside the callback and let it go.
///
/// ```swift
/// parser.feed(chunk) { event in
///     if case .record(let r) = event { print(r.line, r.count) }
/// }
/// ```
public struct CSVRecord: Sendable, Hashable {
    /// Number of records before this one: with a header, the 1-based data row number
    /// (the header itself is row 0). Blank lines are not counted.
    public let row: Int
    /// 1-based physical line where the record starts.
    public let line: Int
    /// The unescaped bytes of all fields, back to back.
    public let bytes: [UInt8]
    /// End offset in ``bytes`` of each field; there is always at least one field.
    public let fieldEnds: [Int]

    public init(row: Int, line: Int, bytes: [UInt8], fieldEnds: [Int]) {
        self.row = row
        self.line = line
        self.bytes = bytes
        self.fieldEnds = fieldEnds
    }

    /// Number of fields.
    public var count: Int { fieldEnds.count }

    /// The byte range of field `i` in ``bytes``.
    public func range(ofField i: Int) -> Range<Int> {
        (i == 0 ? 0 : fieldEnds[i - 1])..<fieldEnds[i]
    }

    /// The bytes of field `i`.
    public func field(_ i: Int) -> ArraySlice<UInt8> { bytes[range(ofField: i)] }

    /// The fields as strings, or the first field that is not valid UTF-8.
    public func strings() -> Result<[String], UTF8Problem> { decode { $0 } }

    /// The fields as strings wrapped by `wrap` (e.g. `JSONValue.string`), or the first
    /// field that is not valid UTF-8.
    ///
    /// Validates the whole record in one pass, then builds each string without
    /// intermediate copies; wrapping here saves a second array per row.
    func decode<Value>(_ wrap: (String) -> Value) -> Result<[Value], UTF8Problem> {
        bytes.withUnsafeBufferPointer { buffer in
            var valid = Self.firstInvalidUTF8(buffer) == nil
            // In valid text, a field that starts with a continuation byte means a
            // sequence straddles two fields: each of them is invalid on its own.
            var start = 0
            for end in fieldEnds where valid {
                if start < end && buffer[start] & 0xC0 == 0x80 { valid = false }
                start = end
            }
            guard valid else { return .failure(firstProblem(buffer)) }
            var values: [Value] = []
            values.reserveCapacity(fieldEnds.count)
            start = 0
            for end in fieldEnds {
                values.append(wrap(String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<end]), as: UTF8.self)))
                start = end
            }
            return .success(values)
        }
    }

    /// The first field that is invalid on its own (the slow path, errors only).
    private func firstProblem(_ buffer: UnsafeBufferPointer<UInt8>) -> UTF8Problem {
        for i in 0..<count {
            let r = range(ofField: i)
            if let offset = Self.firstInvalidUTF8(UnsafeBufferPointer(rebasing: buffer[r])) {
                return UTF8Problem(field: i, offset: offset)
            }
        }
        preconditionFailure("an invalid record has an invalid field")
    }

    /// Where a field stops being valid UTF-8.
    public struct UTF8Problem: Error, Sendable, Hashable {
        /// 0-based field index.
        public var field: Int
        /// 0-based byte offset in the (unescaped) field value of the first bad byte.
        public var offset: Int
    }
}

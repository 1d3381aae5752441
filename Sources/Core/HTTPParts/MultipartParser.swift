#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A streaming `multipart/form-data` reader (RFC 7578 over RFC 2046): bytes in, events out.
///
/// A plain state machine without I/O. The host feeds the request body as it arrives
/// and acts on the returned ``MultipartEvent``s; a part's body is passed on as it
/// arrives, so a 50 MiB file never sits in memory whole — the parser only holds back
/// the few bytes at the end of a chunk that could start the next boundary, or a part's
/// header block while it is incomplete (at most ``Limits/maxHeaderBytes``).
///
/// The preamble before the first boundary and the epilogue after the closing one are
/// ignored, as RFC 2046 says. After an error the parser stays failed.
///
/// Not thread-safe; one parser per request.
///
/// ```swift
/// let boundary = try MultipartParser.boundary(fromContentType: contentType)
/// var parser = try MultipartParser(boundary: boundary)
/// for chunk in body {
///     for event in try parser.feed(chunk) {
///         switch event {
///         case .partBegin(let name, let filename, _): …
///         case .partData(let bytes): …
///         case .partEnd: …
///         }
///     }
/// }
/// try parser.finish()
/// ```
public struct MultipartParser: Sendable {
    /// Bounds on what a client can make the parser hold or count.
    public struct Limits: Sendable, Hashable {
        /// Largest header block of one part, in bytes.
        public var maxHeaderBytes: Int
        /// Most parts in one body.
        public var maxParts: Int
        /// Largest body of one part, in bytes.
        public var maxPartBytes: Int

        public init(maxHeaderBytes: Int = 8 * 1024, maxParts: Int = 16, maxPartBytes: Int = .max) {
            self.maxHeaderBytes = maxHeaderBytes
            self.maxParts = maxParts
            self.maxPartBytes = maxPartBytes
        }
    }

    private enum State {
        /// Before the first boundary; also where a missing boundary is noticed.
        case preamble
        /// Just after `--boundary`: `--` (the end), or optional blanks and CR LF.
        case boundaryLine
        case headers
        case body
        /// After the closing boundary: everything is ignored.
        case epilogue
        case finished
        case failed
    }

    /// CR LF `--` boundary: what ends a part's body.
    private let delimiter: [UInt8]
    private let limits: Limits
    private var state = State.preamble
    /// Unconsumed bytes from earlier chunks, read again before the next chunk. Starts as
    /// CR LF so that a boundary on the very first line matches the same delimiter.
    private var carry: [UInt8] = [cr, lf]
    private var partCount = 0
    private var partBytes = 0

    private static let cr = UInt8(ascii: "\r")
    private static let lf = UInt8(ascii: "\n")
    private static let dash = UInt8(ascii: "-")
    /// Longest transport padding accepted after a boundary before the line must end.
    private static let maxBoundaryLine = 256

    /// A parser for bodies delimited by `boundary` (see ``boundary(fromContentType:)``).
    /// Throws ``MultipartError/Code/invalidBoundary`` for an empty boundary, one longer
    /// than 70 bytes, or one with CR or LF.
    public init(boundary: String, limits: Limits = Limits()) throws(MultipartError) {
        try Self.validate(boundary: boundary)
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.limits = limits
    }

    /// Reads the next bytes of the body; returns what they complete, in order.
    public mutating func feed(_ bytes: [UInt8]) throws(MultipartError) -> [MultipartEvent] {
        var result: Result<[MultipartEvent], MultipartError> = .success([])
        bytes.withUnsafeBytes { raw in
            do throws(MultipartError) { result = .success(try feed(raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    /// Reads the next bytes of the body; returns what they complete, in order. The
    /// bytes are copied where kept; the buffer may be reused once this returns.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(MultipartError) -> [MultipartEvent] {
        switch state {
        case .failed: throw MultipartError(.finished, "The multipart body was already rejected.")
        case .finished: throw MultipartError(.finished, "The multipart body was already finished.")
        default: break
        }
        var events: [MultipartEvent] = []
        do throws(MultipartError) {
            if carry.isEmpty {
                try run(bytes, &events)
            } else {
                // Rare on the body path: only when the last chunk ended inside what
                // could have been a boundary, or inside a header block.
                var work = carry
                work.append(contentsOf: bytes)
                carry.removeAll(keepingCapacity: true)
                var outcome: MultipartError?
                work.withUnsafeBytes { raw in
                    do throws(MultipartError) { try run(raw, &events) } catch { outcome = error }
                }
                if let outcome { throw outcome }
            }
        } catch {
            state = .failed
            carry = []
            throw error
        }
        return events
    }

    /// Declares the end of the body; throws unless the closing boundary was seen.
    public mutating func finish() throws(MultipartError) {
        switch state {
        case .epilogue, .finished:
            state = .finished
            carry = []
        case .failed:
            throw MultipartError(.finished, "The multipart body was already rejected.")
        default:
            state = .failed
            carry = []
            throw MultipartError(
                .missingClosingBoundary, "The multipart body ended before its closing boundary.")
        }
    }

    // MARK: - The state machine

    private mutating func run(_ buf: UnsafeRawBufferPointer, _ events: inout [MultipartEvent]) throws(MultipartError) {
        let n = buf.count
        var i = 0
        while i < n {
            switch state {
            case .preamble, .body:
                if let j = find(delimiter, in: buf, from: i) {
                    if state == .body {
                        try emit(buf, i, j, &events)
                        events.append(.partEnd)
                    }
                    i = j + delimiter.count
                    state = .boundaryLine
                } else {
                    let keep = heldTail(buf, from: i)
                    if state == .body { try emit(buf, i, keep, &events) }
                    hold(buf, from: keep)
                    return
                }
            case .boundaryLine:
                guard let next = try boundaryLine(buf, from: i) else {
                    hold(buf, from: i)
                    return
                }
                i = next
            case .headers:
                guard let next = try headers(buf, from: i, &events) else {
                    hold(buf, from: i)
                    return
                }
                i = next
            case .epilogue, .finished, .failed:
                return
            }
        }
    }

    /// The rest of a boundary line from `i`: the index after it, or nil when more bytes
    /// are needed.
    private mutating func boundaryLine(_ buf: UnsafeRawBufferPointer, from i: Int) throws(MultipartError) -> Int? {
        let n = buf.count
        if buf[i] == Self.dash {
            guard i + 1 < n else { return nil }
            guard buf[i + 1] == Self.dash else { throw Self.badBoundaryLine() }
            state = .epilogue
            return n
        }
        var k = i
        while k < n, buf[k] == 0x20 || buf[k] == 0x09 { k += 1 }
        guard k - i <= Self.maxBoundaryLine else { throw Self.badBoundaryLine() }
        guard k + 1 < n else { return nil }
        guard buf[k] == Self.cr, buf[k + 1] == Self.lf else { throw Self.badBoundaryLine() }
        state = .headers
        return k + 2
    }

    /// A part's header block from `i`: the index after its blank line, or nil when more
    /// bytes are needed.
    private mutating func headers(
        _ buf: UnsafeRawBufferPointer, from i: Int, _ events: inout [MultipartEvent]
    ) throws(MultipartError) -> Int? {
        let n = buf.count
        guard n - i >= 2 else { return nil }
        let end: Int
        let next: Int
        if buf[i] == Self.cr, buf[i + 1] == Self.lf {
            (end, next) = (i, i + 2)  // no headers at all
        } else if let j = find(Self.blankLine, in: buf, from: i) {
            (end, next) = (j, j + 4)
        } else {
            guard n - i <= limits.maxHeaderBytes else { throw Self.headerTooLarge(limits) }
            return nil
        }
        guard end - i <= limits.maxHeaderBytes else { throw Self.headerTooLarge(limits) }
        partCount += 1
        guard partCount <= limits.maxParts else {
            throw MultipartError(.tooManyParts, "The multipart body has more than \(limits.maxParts) parts.")
        }
        let part = try MultipartPartHeaders(UnsafeRawBufferPointer(rebasing: buf[i..<end]))
        events.append(.partBegin(name: part.name, filename: part.filename, contentType: part.contentType))
        partBytes = 0
        state = .body
        return next
    }

    private static let blankLine: [UInt8] = [cr, lf, cr, lf]

    /// Passes `buf[from..<to]` on as part data, counting it against the part limit.
    private mutating func emit(
        _ buf: UnsafeRawBufferPointer, _ from: Int, _ to: Int, _ events: inout [MultipartEvent]
    ) throws(MultipartError) {
        let count = to - from
        guard count > 0 else { return }
        partBytes += count
        guard partBytes <= limits.maxPartBytes else {
            throw MultipartError(
                .partTooLarge, "A part of the multipart body is larger than \(limits.maxPartBytes) bytes.")
        }
        let source = buf.baseAddress! + from
        events.append(
            .partData(
                [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
                    memcpy(out.baseAddress!, source, count)
                    initialized = count
                }))
    }

    private mutating func hold(_ buf: UnsafeRawBufferPointer, from i: Int) {
        carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[i...]))
    }

    /// Where the bytes that might begin a delimiter start at the end of `buf` (`buf.count`
    /// when none might): those are held back until the next chunk tells.
    private func heldTail(_ buf: UnsafeRawBufferPointer, from i: Int) -> Int {
        let n = buf.count
        var k = max(i, n - (delimiter.count - 1))
        while k < n {
            if buf[k] == Self.cr {
                var m = 1
                while k + m < n, buf[k + m] == delimiter[m] { m += 1 }
                if k + m == n { return k }
            }
            k += 1
        }
        return n
    }

    /// The first index ≥ `from` where `needle` (starting with CR) occurs in `buf`.
    ///
    /// `memchr` finds each CR at memory speed and only those are compared, so plain
    /// data streams through without a per-byte Swift loop.
    private func find(_ needle: [UInt8], in buf: UnsafeRawBufferPointer, from: Int) -> Int? {
        let count = needle.count
        guard let base = buf.baseAddress, buf.count - from >= count else { return nil }
        let last = buf.count - count
        return needle.withUnsafeBytes { nb -> Int? in
            let rest = nb.baseAddress! + 1
            var i = from
            while i <= last {
                guard let hit = memchr(base + i, Int32(needle[0]), last - i + 1) else { return nil }
                let j = base.distance(to: UnsafeRawPointer(hit))
                if memcmp(base + j + 1, rest, count - 1) == 0 { return j }
                i = j + 1
            }
            return nil
        }
    }

    private static func badBoundaryLine() -> MultipartError {
        MultipartError(.malformedBoundaryLine, "A boundary line of the multipart body has extra characters.")
    }

    private static func headerTooLarge(_ limits: Limits) -> MultipartError {
        MultipartError(.headerTooLarge, "A part's headers are larger than \(limits.maxHeaderBytes) bytes.")
    }
}

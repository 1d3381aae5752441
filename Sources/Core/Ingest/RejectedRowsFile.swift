#if canImport(Glibc)
import Glibc
#endif

/// Every rejected row of an import as CSV: `sluice import --errors FILE`, and an upload's
/// `<batchId>.rejected.csv` that `GET /api/imports/{batchId}/rejected.csv` serves.
///
/// A header `row,line,reason,<the file's columns…>`, then one line per rejected row: its
/// row, line and reason, then the row's own values when it could be read. Cells that a
/// spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
/// carriage return) are prefixed with `'`. Lines end with CRLF.
///
/// Writes are buffered (64 KiB). Once the file holds `byteLimit` bytes, further rows are
/// counted, not written, and ``close()`` adds one last line saying how many were left
/// out. A write error is kept and thrown by ``close()`` (an import's sink cannot throw).
///
/// Owns its descriptor: ``close()`` or `deinit` closes it. Not thread-safe: one import,
/// one task. `write(2)` blocks, briefly, every 64 KiB.
///
/// ```swift
/// let rejected = try RejectedRowsFile(path: "rejected.csv")
/// let run = CSVImport(catalog: catalog, store: store, options: options) {
///     rejected.write($0, names: $1, values: $2)
/// }
/// // … feed, finish …
/// try rejected.close()
/// ```
public final class RejectedRowsFile {
    public let path: String
    /// Rejected rows written to the file.
    public private(set) var rows = 0
    /// Rejected rows left out because the file reached `byteLimit`.
    public private(set) var rowsLeftOut = 0
    /// True once the file was made on disk.
    public var exists: Bool { fd >= 0 || closed }

    private let permissions: Int
    private let byteLimit: Int
    private var fd: Int32 = -1
    private var closed = false
    private var wroteHeader = false
    private var buffer: [UInt8] = []
    private var bytes = 0
    private var failure: String?

    /// - Parameters:
    ///   - createEmpty: true makes the file now, and it holds the header even when no row
    ///     is rejected (`--errors FILE`: a bad path fails before the import starts); false
    ///     makes it at the first rejected row, so an import without any leaves no file.
    ///   - permissions: the new file's mode, before the umask (`0o600` for lead data the
    ///     server keeps).
    ///   - byteLimit: the most the file may hold; rows past it are only counted.
    /// - Throws: ``ImportError`` with code ``ImportError/Code/io`` when `createEmpty` and
    ///   the file cannot be created.
    public init(path: String, createEmpty: Bool = true, permissions: Int = 0o644, byteLimit: Int = .max) throws {
        self.path = path
        self.permissions = permissions
        self.byteLimit = byteLimit
        if createEmpty {
            try open()
        }
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }

    /// Adds one rejected row; `names` are the file's columns (written once, in the header).
    public func write(_ error: ImportReply.RowError, names: FieldNames?, values: [String]?) {
        guard failure == nil, !closed else { return }
        if !wroteHeader {
            if fd < 0 {
                do { try open() } catch { return }
            }
            wroteHeader = true
            append(["row", "line", "reason"] + (names?.names ?? []))
        }
        guard bytes + buffer.count < byteLimit else {
            rowsLeftOut += 1
            return
        }
        append([String(error.row), String(error.line), error.message] + (values ?? []))
        rows += 1
        if buffer.count >= 64 * 1024 { flush() }
    }

    /// Writes what is buffered (a header alone when nothing was rejected) and closes.
    /// Does nothing when the file was never made.
    /// - Throws: ``ImportError`` (``ImportError/Code/io``) when a write failed.
    public func close() throws {
        guard !closed else { return }
        if fd >= 0 {
            if !wroteHeader { append(["row", "line", "reason"]) }
            if rowsLeftOut > 0 {
                append(["", "", "\(rowsLeftOut) more rejected rows are left out: this file reached its size limit."])
            }
            flush()
            _ = Glibc.close(fd)
            fd = -1
            closed = true
        }
        if let failure { throw ImportError(.io, "cannot write the rejected rows file \(path): \(failure)") }
    }

    /// One CSV cell: neutralised against formula injection (a leading `=`, `+`, `-`, `@`,
    /// tab or carriage return gets a `'`), quoted when needed.
    public static func cell(_ raw: String) -> String {
        var v = raw
        if let first = v.utf8.first, Self.formulaStarts.contains(first) { v = "'" + v }
        // By bytes: "\r\n" is one Character, equal to neither "\r" nor "\n", and a quote
        // followed by a combining mark is not the Character "\"".
        let quote = UInt8(ascii: "\"")
        guard v.utf8.contains(where: { $0 == UInt8(ascii: ",") || $0 == quote || $0 == 0x0A || $0 == 0x0D }) else {
            return v
        }
        var out: [UInt8] = [quote]
        out.reserveCapacity(v.utf8.count + 8)
        for b in v.utf8 {
            out.append(b)
            if b == quote { out.append(quote) }
        }
        out.append(quote)
        return String(decoding: out, as: UTF8.self)
    }

    /// First bytes a spreadsheet may read as the start of a formula.
    private static let formulaStarts: Set<UInt8> = [
        UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), 0x09, 0x0D,
    ]

    private func open() throws {
        let fd = Glibc.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode_t(permissions))
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            failure = reason
            throw ImportError(.io, "cannot create the rejected rows file \(path): \(reason)")
        }
        self.fd = fd
    }

    private func append(_ cells: [String]) {
        buffer += (cells.map(Self.cell).joined(separator: ",") + "\r\n").utf8
    }

    private func flush() {
        defer {
            bytes += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        guard failure == nil, fd >= 0 else { return }
        var offset = 0
        while offset < buffer.count {
            let n = buffer.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                return
            }
            offset += n
        }
    }
}

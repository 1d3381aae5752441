#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a CSV file from a path as ``CSVTable`` events, pulling one event at a time.
///
/// The file is read with `read(2)` into one fixed buffer (256 KiB by default), so memory
/// stays flat whatever the file size. ``bytesRead`` against ``fileSize`` drives a
/// progress bar. Events of one buffer are parsed together and handed out one by one.
///
/// Owns the file descriptor and closes it in `deinit`. Not thread-safe: one reader,
/// one task. `read(2)` blocks, so a server should call ``next()`` off the cooperative pool.
///
/// ```swift
/// let reader = try CSVFileReader(path: "leads.csv")
/// while let event = try reader.next() {
///     switch event { case .row(let r): … default: … }
///     progress(reader.bytesRead, of: reader.fileSize)
/// }
/// ```
public final class CSVFileReader {
    /// The path as given, used as the file name in errors.
    public let path: String
    /// Size of the file when it was opened (`nil` for pipes and the like).
    public let fileSize: Int?
    /// Bytes read from the file and parsed so far.
    public private(set) var bytesRead = 0

    private let fd: Int32
    private var table: CSVTable
    private var buffer: [UInt8]
    private var pending: [CSVTable.Event] = []
    private var nextIndex = 0
    private var atEnd = false

    /// Opens `path`; throws a ``CSVError`` with code ``CSVError/Code/io`` when it can't.
    public init(
        path: String, bufferSize: Int = 256 * 1024,
        maxRecordBytes: Int = CSVParser.defaultMaxRecordBytes
    ) throws(CSVError) {
        precondition(bufferSize > 0, "bufferSize must be positive")
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.ioError("cannot open the file", path: path) }
        var info = stat()
        if fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            fileSize = Int(info.st_size)
        } else {
            fileSize = nil
        }
        self.fd = fd
        self.path = path
        self.buffer = [UInt8](repeating: 0, count: bufferSize)
        self.table = CSVTable(maxRecordBytes: maxRecordBytes)
    }

    deinit { close(fd) }

    /// The next event, reading more of the file when needed; `nil` after the last one.
    ///
    /// Row and header errors are events (with ``CSVError/file`` set); only a failing
    /// `read(2)` throws.
    public func next() throws(CSVError) -> CSVTable.Event? {
        while nextIndex == pending.count {
            if atEnd { return nil }
            try refill()
        }
        defer { nextIndex += 1 }
        return pending[nextIndex]
    }

    private func refill() throws(CSVError) {
        var events = pending
        pending = []
        events.removeAll(keepingCapacity: true)
        nextIndex = 0
        let path = self.path
        func collect(_ event: CSVTable.Event) {
            switch event {
            case .rowError(var e):
                e.file = path
                events.append(.rowError(e))
            case .failed(var e):
                e.file = path
                events.append(.failed(e))
            case .header, .row: events.append(event)
            }
        }
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR {
                pending = events
                return
            }
            throw Self.ioError("cannot read the file", path: path)
        }
        if count == 0 {
            atEnd = true
            table.finish(collect)
        } else {
            bytesRead += count
            buffer.withUnsafeBytes { table.feed(UnsafeRawBufferPointer(rebasing: $0[0..<count]), collect) }
        }
        pending = events
    }

    private static func ioError(_ what: String, path: String) -> CSVError {
        let reason = String(cString: strerror(errno))
        return CSVError(.io, "\(what): \(reason)", row: 0, line: 0, file: path)
    }
}

internal import Glibc
internal import Synchronization

/// A file on disk as a reply body, sent without reading it into memory: libmicrohttpd
/// reads it from the descriptor while it writes the reply.
///
/// Opened when made, so the reply sends the file as it was then, even if it is replaced
/// or removed before the reply goes out. Owns the descriptor until a reply takes it
/// (libmicrohttpd closes it once the reply is done); one that is never sent is closed in
/// `deinit`. Thread-safe; a body is sent at most once.
///
/// ```swift
/// guard let file = HTTPFileBody(path: path) else { return .json(404, #"{"error":"gone"}"#) }
/// return .file(200, file, contentType: "text/csv; charset=utf-8")
/// ```
public final class HTTPFileBody: Sendable {
    /// The file's size in bytes when it was opened: the reply's `Content-Length`.
    public let size: Int
    /// -1 once a reply took it.
    private let descriptor: Mutex<Int32>

    /// Opens the regular file at `path` for reading; nil when there is none (or it is a
    /// directory, a device or a symbolic link).
    public init?(path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            return nil
        }
        size = Int(info.st_size)
        descriptor = Mutex(fd)
    }

    deinit { descriptor.withLock { if $0 >= 0 { close($0) } } }

    /// Offers the descriptor to `adopt`; when it returns true the descriptor is its to
    /// close and this body no longer has one. False when it was already taken.
    func handOver(_ adopt: (Int32) -> Bool) -> Bool {
        descriptor.withLock { fd in
            guard fd >= 0, adopt(fd) else { return false }
            fd = -1
            return true
        }
    }

    /// The whole file read into memory, for a reply written straight to the socket; nil
    /// when it was taken or cannot be read.
    func bytes() -> [UInt8]? {
        descriptor.withLock { fd -> [UInt8]? in
            guard fd >= 0 else { return nil }
            var out = [UInt8](repeating: 0, count: size)
            var offset = 0
            while offset < size {
                let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, size - offset, off_t(offset)) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { return nil }
                offset += n
            }
            return out
        }
    }
}

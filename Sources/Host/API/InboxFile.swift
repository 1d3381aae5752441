import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An uploaded file kept as received in the raw inbox folder, written while it streams
/// through the importer and fsynced before the upload is answered.
///
/// One owner closes the descriptor (in `finish` or `deinit`).
final class InboxFile {
    let path: String
    private var fd: Int32

    init(directory: String, name: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        path = directory + "/" + name
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw APIError(status: 500, code: "internal_error", message: "The upload could not be kept.")
        }
    }

    deinit { if fd >= 0 { close(fd) } }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw APIError(status: 500, code: "internal_error", message: "The upload could not be kept.")
            }
            offset += n
        }
    }

    /// Flushes to disk and closes.
    func finish() {
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
        fd = -1
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's 32-byte secret key on disk, for ``SecretBox``.
///
/// Made once, on first start: 32 random bytes written to a file only the owner can read
/// (`0600`). Later starts read it back. A file of another size, or one others may read,
/// is refused with a clear error rather than used or replaced: replacing the key would
/// make every sealed secret unreadable.
///
/// ```swift
/// let box = try SecretBox(key: ServerKey.loadOrCreate(path: "data/server.key"))
/// ```
public enum ServerKey {
    /// Key length in bytes.
    public static let length = 32

    /// The key in the file at `path`, creating the file when there is none.
    ///
    /// Creation writes a temporary file (`O_CREAT|O_EXCL`, `0600`), syncs it, then links
    /// it into place, so a concurrent start or a crash never leaves a short key file:
    /// whoever links first wins and the other reads that key.
    public static func loadOrCreate(path: String) throws(ServerKeyError) -> [UInt8] {
        for _ in 0..<3 {
            if let key = try load(path: path) { return key }
            if try create(path: path) { continue }  // lost a race: read the winner's key
            if let key = try load(path: path) { return key }
        }
        throw ServerKeyError(.unreadable, "The server key file \(path) could not be created or read.")
    }

    /// The key, or nil when the file does not exist.
    private static func load(path: String) throws(ServerKeyError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw failure(.unreadable, "cannot open the server key file \(path)")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(.unreadable, "cannot stat the server key file \(path)") }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw ServerKeyError(.wrongSize, "The server key file \(path) is not a regular file.")
        }
        let mode = info.st_mode & 0o7777
        guard mode & ~0o600 == 0 else {
            throw ServerKeyError(
                .permissions,
                "The server key file \(path) has mode \(String(mode, radix: 8)); it must be 600 or stricter (chmod 600 \(path))."
            )
        }
        guard info.st_size == length else {
            throw ServerKeyError(
                .wrongSize, "The server key file \(path) holds \(info.st_size) bytes; a server key is \(length) bytes.")
        }
        var key = [UInt8](repeating: 0, count: length)
        var got = 0
        while got < length {
            let n = key.withUnsafeMutableBytes { read(fd, $0.baseAddress! + got, length - got) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { throw failure(.unreadable, "cannot read the server key file \(path)") }
            got += n
        }
        return key
    }

    /// Writes a new key to `path`; false when another process created the file first.
    private static func create(path: String) throws(ServerKeyError) -> Bool {
        let temporary = path + ".tmp-" + Crypto.hex(Crypto.randomBytes(count: 6))
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw failure(.unwritable, "cannot create the server key file \(path)") }
        defer { unlink(temporary) }
        let key = Crypto.randomBytes(count: length)
        var written = 0
        while written < length {
            let n = key.withUnsafeBytes { write(fd, $0.baseAddress! + written, length - written) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else {
                let error = failure(.unwritable, "cannot write the server key file \(path)")
                close(fd)
                throw error
            }
            written += n
        }
        // The umask can only narrow the mode; make it exactly 0600 anyway.
        guard fchmod(fd, 0o600) == 0, fsync(fd) == 0 else {
            let error = failure(.unwritable, "cannot sync the server key file \(path)")
            close(fd)
            throw error
        }
        close(fd)
        guard link(temporary, path) == 0 else {
            if errno == EEXIST { return false }
            throw failure(.unwritable, "cannot create the server key file \(path)")
        }
        syncDirectory(of: path)
        return true
    }

    /// Makes the new directory entry durable; best effort (some file systems refuse).
    private static func syncDirectory(of path: String) {
        let directory = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        let fd = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = fsync(fd)
        close(fd)
    }

    private static func failure(_ code: ServerKeyError.Code, _ what: String) -> ServerKeyError {
        let reason = String(cString: strerror(errno))
        return ServerKeyError(code, "The server could not start: \(what) (\(reason)).")
    }
}

/// Why the server key file could not be used.
public struct ServerKeyError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    /// One sentence naming the file and what to do; never the key.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// What went wrong; new codes may be added without breaking callers.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The file is not 32 bytes (or not a regular file).
        public static let wrongSize = Code(rawValue: "wrong_size")
        /// Group or others may access the file.
        public static let permissions = Code(rawValue: "permissions")
        /// The file exists but cannot be opened or read.
        public static let unreadable = Code(rawValue: "unreadable")
        /// The file cannot be created.
        public static let unwritable = Code(rawValue: "unwritable")
    }
}

/// Why reading a request body stopped.
public struct HTTPBodyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public var code: Code
    /// Builds an error.
    public init(_ code: Code) { self.code = code }

    public var description: String {
        switch code {
        case .tooLarge: "request body exceeds the limit"
        case .disconnected: "the client went away before the body ended"
        case .concurrentRead: "the body is already being read by another task"
        default: "request body error \(code.rawValue)"
        }
    }

    /// An extensible error code.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `collect(limit:)` saw more bytes than its limit.
        public static let tooLarge = Code(rawValue: "too_large")
        /// The connection closed (or the server is stopping) before the body ended.
        public static let disconnected = Code(rawValue: "disconnected")
        /// Two tasks called `next()` at once.
        public static let concurrentRead = Code(rawValue: "concurrent_read")
    }

    /// `collect(limit:)` saw more bytes than its limit.
    public static let tooLarge = HTTPBodyError(.tooLarge)
    /// The connection closed before the body ended.
    public static let disconnected = HTTPBodyError(.disconnected)
    /// Two tasks called `next()` at once.
    public static let concurrentRead = HTTPBodyError(.concurrentRead)
}

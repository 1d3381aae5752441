/// The server could not start: a bad address, a port in use, libmicrohttpd refusing.
///
/// `description` is one line for the operator:
/// `cannot listen on 127.0.0.1:8080: address already in use`.
public struct HTTPServerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for callers that branch on it.
    public var code: Code
    /// The operator-facing message.
    public var message: String

    /// Builds an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// An extensible error code.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// The configuration cannot work (e.g. a host name instead of a numeric address).
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
        /// Creating, binding or listening on the socket failed (port in use, permission).
        public static let cannotListen = Code(rawValue: "cannot_listen")
        /// libmicrohttpd refused to start its daemon.
        public static let cannotStart = Code(rawValue: "cannot_start")
        /// `start()` was called twice, or after `shutdown`.
        public static let invalidState = Code(rawValue: "invalid_state")
    }
}

/// A store operation that failed for a reason the caller can act on.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let invalidInput = Code(rawValue: "invalid_input")
        public static let notFound = Code(rawValue: "not_found")
        public static let conflict = Code(rawValue: "conflict")
        public static let unsupported = Code(rawValue: "unsupported")
        public static let unavailable = Code(rawValue: "unavailable")
        /// The credential a delivery came with is no longer active.
        public static let unauthorized = Code(rawValue: "unauthorized")
    }
}

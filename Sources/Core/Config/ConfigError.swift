/// A mistake in a human-written configuration file, pointing at the place.
///
/// `description` is the compiler-style line an operator reads:
/// `vendors.yaml:12:7: error: unknown transform 'uper' (did you mean 'upper'?)`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// File name as given by the user (for messages only).
    public var file: String
    public var mark: SourceMark?
    public var message: String

    public init(file: String = "vendors.yaml", mark: SourceMark?, _ message: String) {
        self.file = file
        self.mark = mark
        self.message = message
    }

    public var description: String {
        if let mark { return "\(file):\(mark.line):\(mark.column): error: \(message)" }
        return "\(file): error: \(message)"
    }
}

/// Every mistake found in one file, in file order; loading reports them all at once.
public struct ConfigErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [ConfigError]
    public init(_ errors: [ConfigError]) { self.errors = errors }
    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

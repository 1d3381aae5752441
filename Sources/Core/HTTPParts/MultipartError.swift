/// Why a `multipart/form-data` body could not be read.
///
/// `description` is safe to log: it names the problem, never part contents.
public struct MultipartError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    /// One sentence for the client and the log.
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
        /// The Content-Type is not `multipart/…`.
        public static let notMultipart = Code(rawValue: "not_multipart")
        /// The Content-Type names no boundary.
        public static let noBoundary = Code(rawValue: "no_boundary")
        /// The boundary is empty, longer than 70 bytes or holds a CR or LF.
        public static let invalidBoundary = Code(rawValue: "invalid_boundary")
        /// A part's header block cannot be read (no `name`, a line without a colon…).
        public static let malformedHeaders = Code(rawValue: "malformed_headers")
        /// A part's header block is larger than ``MultipartParser/Limits/maxHeaderBytes``.
        public static let headerTooLarge = Code(rawValue: "header_too_large")
        /// More parts than ``MultipartParser/Limits/maxParts``.
        public static let tooManyParts = Code(rawValue: "too_many_parts")
        /// A part's body is larger than ``MultipartParser/Limits/maxPartBytes``.
        public static let partTooLarge = Code(rawValue: "part_too_large")
        /// The body ended before the closing `--boundary--` line.
        public static let missingClosingBoundary = Code(rawValue: "missing_closing_boundary")
        /// Bytes after a boundary that are neither `--` nor the end of the line.
        public static let malformedBoundaryLine = Code(rawValue: "malformed_boundary_line")
        /// ``MultipartParser/feed(_:)-(UnsafeRawBufferPointer)`` after an error or after ``MultipartParser/finish()``.
        public static let finished = Code(rawValue: "finished")
    }
}

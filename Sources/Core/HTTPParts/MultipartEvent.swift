/// What ``MultipartParser`` found in the bytes it was fed, in body order.
///
/// For each part: one `partBegin`, zero or more `partData` (the body streamed in pieces
/// as they arrive, never the whole part), one `partEnd`.
public enum MultipartEvent: Sendable, Hashable {
    /// A part starts. `name` and `filename` come from `Content-Disposition`,
    /// `contentType` from the part's `Content-Type` header (nil when absent).
    case partBegin(name: String, filename: String?, contentType: String?)
    /// The next bytes of the current part's body (never empty).
    case partData([UInt8])
    /// The current part is complete.
    case partEnd
}

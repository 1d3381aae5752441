/// Answers requests for an `HTTPServer`.
///
/// Called concurrently, once per request, on the cooperative pool as soon as the request's
/// headers are read; the body streams in through `body` while the handler runs.
public protocol HTTPHandler: Sendable {
    /// Called once per request as soon as its headers are read. May return before reading
    /// the whole body (e.g. 401, 413): the reply goes out at once with `Connection: close`
    /// and the rest of the body is dropped, or, when at most 64 KiB of it are still to
    /// come, after them on a connection that stays open.
    func handle(_ head: HTTPRequestHead, body: HTTPBody) async -> HTTPResponse
}

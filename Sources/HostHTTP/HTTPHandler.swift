/// Answers requests for an `HTTPServer`.
///
/// Called concurrently, once per request, on the cooperative pool: libmicrohttpd's
/// thread only hands requests over, never runs handler code. A request with a small
/// body (a declared `Content-Length` of at most 64 KiB, or none) is handed over once its
/// body has been read, so `body` yields it without waiting; a chunked or larger body
/// streams in through `body` while the handler runs, from the headers on.
public protocol HTTPHandler: Sendable {
    /// Called once per request (see the type's notes for when). With a streamed body it
    /// may return before reading all of it (e.g. 401, 413): the reply goes out at once
    /// with `Connection: close` and the rest of the body is dropped, or, when at most
    /// 64 KiB of it are still to come, after them on a connection that stays open.
    func handle(_ head: HTTPRequestHead, body: HTTPBody) async -> HTTPResponse
}

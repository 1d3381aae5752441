/// Answers requests for an `HTTPServer`.
///
/// Called concurrently, once per request, on the cooperative pool (or, when
/// `startsOnArrival` says so, first on libmicrohttpd's thread). A request with a small
/// body (a declared `Content-Length` of at most 64 KiB, or none) is handed over once its
/// body has been read, so `body` yields it without waiting; a chunked or larger body
/// streams in through `body` while the handler runs, from the headers on.
public protocol HTTPHandler: Sendable {
    /// Called once per request (see the type's notes for when). With a streamed body it
    /// may return before reading all of it (e.g. 401, 413): the reply goes out at once
    /// with `Connection: close` and the rest of the body is dropped, or, when at most
    /// 64 KiB of it are still to come, after them on a connection that stays open.
    func handle(_ head: HTTPRequestHead, body: HTTPBody) async -> HTTPResponse

    /// Whether this request's handler starts on libmicrohttpd's thread, as soon as its
    /// small body is read, and runs there until it first suspends, instead of being handed
    /// to the cooperative pool: one thread hand-over less before the handler's first
    /// await (~50 µs here). For short work that never blocks — a webhook that parses,
    /// transforms and queues its write. Never for a handler that computes for long or
    /// blocks before it awaits: that stalls every connection of the thread meanwhile.
    /// Requests with a streamed (large or chunked) body always start on the pool.
    /// Default: false.
    func startsOnArrival(_ head: HTTPRequestHead) -> Bool
}

extension HTTPHandler {
    public func startsOnArrival(_ head: HTTPRequestHead) -> Bool { false }
}

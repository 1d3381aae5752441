/// A complete reply: status, header fields and body bytes.
///
/// The server copies the body into libmicrohttpd and adds `Content-Length` and `Date`
/// itself (a `Content-Length` or `Transfer-Encoding` given here is ignored).
/// Add `("Connection", "close")` only to force the connection closed after this reply.
///
/// ```swift
/// return .json(201, #"{"id":"ld_1"}"#, headers: [("Location", "/api/leads/ld_1")])
/// ```
public struct HTTPResponse: Sendable {
    /// The status code, e.g. 200.
    public var status: Int
    /// Header fields to send, in order.
    public var headers: [(String, String)]
    /// The body bytes.
    public var body: [UInt8]
    /// A file sent as the body instead of `body` (see `file(_:_:contentType:headers:)`).
    public var file: HTTPFileBody?

    /// Set by `webSocket(_:options:_:)`: the reply is a 101 that hands the socket over.
    var upgrade: WebSocketUpgrade?

    /// Builds a response from its parts; a `file`, when given, is the body.
    public init(status: Int, headers: [(String, String)] = [], body: [UInt8] = [], file: HTTPFileBody? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.file = file
    }

    /// A JSON reply: `text` is already-encoded JSON; sets `Content-Type: application/json`.
    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
            body: Array(text.utf8))
    }

    /// A text reply with the given content type, e.g. `"text/plain; charset=utf-8"`.
    public static func text(_ status: Int, _ text: String, contentType: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], body: Array(text.utf8))
    }

    /// A file reply, streamed from disk; sets `Content-Type`.
    public static func file(
        _ status: Int, _ file: HTTPFileBody, contentType: String, headers: [(String, String)] = []
    ) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)] + headers, file: file)
    }
}

/// What is known about a request once its headers are read: method, target and fields.
///
/// libmicrohttpd has already parsed and percent-decoded the target: `path` has no query,
/// `query` holds the decoded parameters (the last of a repeated name wins).
public struct HTTPRequestHead: Sendable {
    /// The request method as sent: `"GET"`, `"POST"`, …
    public var method: String
    /// Percent-decoded path without the query, e.g. `/api/leads/ld_1`.
    public var path: String
    /// Decoded query parameters; a parameter without `=` maps to `""`.
    public var query: [String: String]
    /// Header fields, case-insensitive lookup.
    public var headers: HTTPHeaders
    /// The client's numeric address, e.g. `127.0.0.1` or `::1`; `""` when unknown.
    public var remoteAddress: String
    /// The `Content-Length` value when the client sent a valid one.
    public var contentLength: Int?

    /// Builds a head (routes' unit tests build these directly).
    public init(
        method: String, path: String, query: [String: String] = [:], headers: HTTPHeaders = HTTPHeaders(),
        remoteAddress: String = "", contentLength: Int? = nil
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.remoteAddress = remoteAddress
        self.contentLength = contentLength
    }
}

internal import CMicroHTTPD
internal import Glibc

/// Writes a reply straight to a connection's socket, for a reply that comes mid-body.
///
/// libmicrohttpd 0.9.75 refuses `MHD_queue_response` while it is reading a body, so the
/// alternatives were reading up to 50 MiB the client should not send or closing without
/// an answer. While it reads a body libmicrohttpd never writes to the socket, so this
/// small write (from any thread: send and recv are independent) does not interleave with
/// its own output. The reply says `Connection: close`; the write side is then shut down
/// so the client sees the end, and libmicrohttpd keeps reading (and the state machine
/// dropping) the rest of the body until it closes the connection.
enum DirectReply {
    /// The reply's bytes: status line, the handler's headers (minus the framing ones),
    /// `Content-Length`, `Connection: close`, body.
    static func bytes(_ response: HTTPResponse) -> [UInt8] {
        let reason = MHD_get_reason_phrase_for(UInt32(clamping: response.status)).map { String(cString: $0) } ?? ""
        var head = "HTTP/1.1 \(response.status) \(reason)\r\n"
        for (name, value) in response.headers where !isFraming(name) {
            head += "\(name): \(value)\r\n"
        }
        // A file reply that comes mid-body (a GET sent with a body) is read whole; the send
        // below gives up on one too large for the socket's buffer, as on any other.
        let body = response.file.map { $0.bytes() ?? [] } ?? response.body
        head += "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Writes the whole reply without blocking and shuts down the write side.
    /// False when the socket would block or failed (the caller closes the connection).
    static func send(_ response: HTTPResponse, on socket: Int32) -> Bool {
        guard socket >= 0 else { return false }
        let bytes = bytes(response)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { rest in
                Glibc.send(socket, rest.baseAddress, rest.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
            }
            if sent > 0 {
                offset += sent
            } else if sent < 0, errno == EINTR {
                continue
            } else {
                // A fresh connection's send buffer holds a small reply; a full one means a
                // client that does not read: give up on it.
                return false
            }
        }
        _ = shutdown(socket, Int32(SHUT_WR))
        return true
    }

    private static func isFraming(_ name: String) -> Bool {
        let headers = HTTPHeaders([(name, "")])
        return headers["content-length"] != nil || headers["transfer-encoding"] != nil
            || headers["connection"] != nil
    }
}

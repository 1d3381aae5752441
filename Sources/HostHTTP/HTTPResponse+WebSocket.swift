internal import CCrypto

/// What a 101 reply carries to the upgrade: the application's handler and its limits.
struct WebSocketUpgrade: Sendable {
    var options: WebSocketOptions
    var run: @Sendable (WebSocket) async -> Void
    /// The server's WebSocket loop, attached by the server before the reply is queued.
    var loop: WebSocketLoop?
}

extension HTTPResponse {
    /// 101 Switching Protocols for a valid WebSocket handshake request (a `GET` with
    /// `Upgrade: websocket`, `Connection: Upgrade`, `Sec-WebSocket-Version: 13` and a
    /// `Sec-WebSocket-Key`); nil when the request is not a valid handshake.
    ///
    /// `run` starts once the upgrade completed; when it returns, the socket is closed with
    /// 1000 if still open.
    public static func webSocket(
        _ head: HTTPRequestHead, options: WebSocketOptions = .init(),
        _ run: @escaping @Sendable (WebSocket) async -> Void
    ) -> HTTPResponse? {
        guard head.method == "GET",
            let upgrade = head.headers["upgrade"], hasToken(upgrade, "websocket"),
            let connection = head.headers["connection"], hasToken(connection, "upgrade"),
            head.headers["sec-websocket-version"]?.trimmed == "13",
            let key = head.headers["sec-websocket-key"]?.trimmed, isValidKey(key)
        else { return nil }
        var response = HTTPResponse(
            status: 101,
            headers: [("Upgrade", "websocket"), ("Connection", "Upgrade"), ("Sec-WebSocket-Accept", acceptValue(key))])
        response.upgrade = WebSocketUpgrade(options: options, run: run)
        return response
    }

    /// base64(SHA-1(key + the RFC 6455 GUID)).
    static func acceptValue(_ key: String) -> String {
        let input = Array((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").utf8)
        var digest = [UInt8](repeating: 0, count: 20)
        _ = SHA1(input, input.count, &digest)
        var encoded = [UInt8](repeating: 0, count: 32)
        let length = EVP_EncodeBlock(&encoded, digest, 20)
        return String(decoding: encoded[..<Int(max(0, length))], as: UTF8.self)
    }

    /// A comma-separated header value contains `token` (ASCII case-insensitive).
    private static func hasToken(_ value: String, _ token: String) -> Bool {
        value.split(separator: ",").contains { $0.trimmed.lowercased() == token }
    }

    /// 16 random bytes in base64: 24 characters ending in `==`.
    private static func isValidKey(_ key: String) -> Bool {
        let bytes = Array(key.utf8)
        guard bytes.count == 24, bytes[22] == UInt8(ascii: "="), bytes[23] == UInt8(ascii: "=") else { return false }
        return bytes[..<22].allSatisfy { byte in
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/")
        }
    }
}

extension StringProtocol {
    fileprivate var trimmed: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}

import Core
import Foundation
import HostHTTP

extension App {
    /// `GET /ws?token=TOKEN[&since=SEQ]`: the tenant's event stream over a WebSocket.
    ///
    /// 401 before the upgrade for a missing or bad token; 403 when an `Origin` header is
    /// not in the allow-list (requests without `Origin`, such as native clients, are fine).
    func socket(_ request: RouteRequest) async throws -> HTTPResponse {
        guard let token = request.head.query["token"], !token.isEmpty, token.count < 256,
            let user = try await store.user(tokenHash: SecretToken.hash(token), now: Date())
        else { throw APIError.unauthorized }
        // Same origin (the web app this host serves) or an allow-listed one.
        if let origin = request.head.headers["origin"]?.lowercased(),
            origin != "http://" + (request.head.headers["host"] ?? "").lowercased(), !allowedOrigins.contains(origin)
        {
            throw APIError(status: 403, code: "forbidden", message: "This origin may not open the event stream.")
        }
        let since: Int64?
        if let text = request.head.query["since"], !text.isEmpty {
            guard let n = Int64(text), n >= 0 else { throw APIError.invalid("since must be a whole number.") }
            since = n
        } else {
            since = nil
        }
        let hub = self.hub
        let tenantId = user.tenantId
        guard
            let response = HTTPResponse.webSocket(
                request.head,
                { socket in
                    // Incoming messages are not part of the protocol; read and drop them.
                    let reader = Task { for await _ in socket.messages {} }
                    await hub.attach(socket, tenantId: tenantId, since: since)
                    reader.cancel()
                })
        else { throw APIError.invalid("This is not a WebSocket handshake (Upgrade: websocket, version 13).") }
        return response
    }
}

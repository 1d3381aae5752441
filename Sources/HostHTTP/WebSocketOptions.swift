/// Limits and timing of one WebSocket connection.
public struct WebSocketOptions: Sendable {
    /// Largest incoming message in bytes; a larger one closes the socket with 1009.
    public var maxMessageBytes = 64 * 1024
    /// Most outgoing bytes waiting for a slow reader; passing it closes the socket with 1013.
    public var maxQueuedBytes = 4 * 1024 * 1024
    /// Most outgoing messages waiting for a slow reader; passing it closes the socket with 1013.
    public var maxQueuedMessages = 10_000
    /// The kernel's send buffer per socket (`SO_SNDBUF`; Linux doubles it for bookkeeping).
    public var sendBufferBytes = 256 * 1024
    /// How often the server pings; a peer that sent nothing between two pings is dropped.
    public var pingInterval: Duration = .seconds(30)
    /// How long a close handshake (ours) waits for the peer's close frame before dropping it.
    public var closeTimeout: Duration = .seconds(2)

    /// The defaults above.
    public init() {}
}

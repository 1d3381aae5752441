/// One complete incoming WebSocket message (fragments are joined).
public enum WebSocketMessage: Sendable, Equatable {
    /// A text message (already checked to be valid UTF-8).
    case text(String)
    /// A binary message.
    case binary([UInt8])
}

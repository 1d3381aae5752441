internal import Synchronization

/// One upgraded WebSocket connection, as the application sees it.
///
/// Thread-safe. Sending never blocks: frames are queued and written by the server's WebSocket
/// I/O thread (`WebSocketLoop`), which owns the socket and the wslay context. A reader that
/// falls behind by more than `WebSocketOptions.maxQueuedBytes` is closed with 1013.
///
/// ```swift
/// return HTTPResponse.webSocket(head) { ws in
///     for await message in ws.messages {
///         if case .text(let text) = message { ws.send(text: text) }
///     }
/// } ?? .json(400, #"{"error":"not a WebSocket handshake","code":"invalid_payload"}"#)
/// ```
public final class WebSocket: Sendable {
    /// What senders hand to the I/O thread.
    struct Outbox {
        /// Text frames not yet given to wslay (a broadcast shares one `String` storage).
        var texts: [String] = []
        var textBytes = 0
        /// Bytes and messages wslay still holds (updated by the I/O thread).
        var wslayBytes = 0
        var wslayMessages = 0
        /// A close asked for and not yet given to wslay; `urgent` skips pending frames.
        var close: (code: UInt16, reason: String, urgent: Bool)?
        /// Set once a close was asked for: nothing more is accepted.
        var closing = false
        /// The final close code once the connection is gone.
        var closedCode: UInt16?
        var waiters: [CheckedContinuation<UInt16, Never>] = []
        /// Already on the loop's list of sockets with work.
        var scheduled = false
    }

    let options: WebSocketOptions
    let outbox = Mutex(Outbox())
    private let loop: WebSocketLoop
    /// The socket's descriptor (the loop's key; checked by identity since numbers are reused).
    let descriptor: Int32
    private let continuation: AsyncStream<WebSocketMessage>.Continuation

    /// Incoming messages; finishes when the socket closes. Iterate it from one task.
    public let messages: AsyncStream<WebSocketMessage>

    init(options: WebSocketOptions, loop: WebSocketLoop, descriptor: Int32) {
        self.options = options
        self.descriptor = descriptor
        self.loop = loop
        (messages, continuation) = AsyncStream.makeStream(of: WebSocketMessage.self)
    }

    /// Queues a text frame. Never blocks. Returns false when the socket is closed or closing,
    /// or when this frame passed the queue bound (the socket is then closed with 1013).
    @discardableResult
    public func send(text: String) -> Bool {
        let bytes = text.utf8.count
        let limits = options
        let (accepted, wake) = outbox.withLock { box -> (Bool, Bool) in
            guard !box.closing else { return (false, false) }
            let queuedBytes = box.textBytes + box.wslayBytes + bytes
            let queuedMessages = box.texts.count + box.wslayMessages + 1
            if queuedBytes > limits.maxQueuedBytes || queuedMessages > limits.maxQueuedMessages {
                // A slow reader: drop what it has not taken and tell it why.
                box.texts.removeAll()
                box.textBytes = 0
                box.closing = true
                box.close = (1013, "send queue full", true)
                return (false, Self.schedule(&box))
            }
            box.texts.append(text)
            box.textBytes += bytes
            return (true, Self.schedule(&box))
        }
        if wake { handOver() }
        return accepted
    }

    /// Runs `body`, in which this thread sends to many sockets (a broadcast), and hands
    /// the sockets those sends scheduled to the I/O thread together when it returns: one
    /// wake-up of the loop instead of one per socket that the loop had already taken by
    /// the time the next was scheduled (a frame to 10 sockets woke it up to 10 times).
    ///
    /// Callable from any thread; calls nest (the outermost hands over). A send made
    /// after `body` returned, by a task started inside it, goes out on its own.
    ///
    /// ```swift
    /// WebSocket.sendingTogether {
    ///     for socket in subscribers { socket.send(text: frame) }
    /// }
    /// ```
    public static func sendingTogether<T>(_ body: () throws -> T) rethrows -> T {
        if SendBatch.current != nil { return try body() }
        let batch = SendBatch()
        defer { batch.handOver() }
        return try SendBatch.$current.withValue(batch) { try body() }
    }

    /// Puts this socket on its loop's work list, or on the batch this thread is sending in.
    private func handOver() {
        if let batch = SendBatch.current {
            batch.add(self, loop)
        } else {
            loop.schedule(self)
        }
    }

    /// Calls `body` (on the server's WebSocket I/O thread; keep it short) once every frame
    /// queued before this call — on this socket or any other of the same server — has been
    /// written to its socket, or is waiting on a full send buffer. Frames sent inside a
    /// `sendingTogether` that has not returned yet are not covered: call this after it.
    /// For measuring how long a broadcast takes to reach the wire.
    public func afterQueuedFrames(_ body: @escaping @Sendable () -> Void) {
        loop.afterPendingWrites(body)
    }

    /// Starts the closing handshake with `code` after the frames already queued; the
    /// connection is dropped if the peer does not answer within `options.closeTimeout`.
    public func close(code: UInt16, reason: String) {
        close(code: code, reason: reason, urgent: false)
    }

    func close(code: UInt16, reason: String, urgent: Bool) {
        let wake = outbox.withLock { box -> Bool in
            guard !box.closing else { return false }
            box.closing = true
            if urgent {
                box.texts.removeAll()
                box.textBytes = 0
            }
            box.close = (code, String(decoding: reason.utf8.prefix(120), as: UTF8.self), urgent)
            return Self.schedule(&box)
        }
        if wake { handOver() }
    }

    /// Waits until the connection is gone; returns the close code (ours or the peer's,
    /// whichever came first; 1006 when the connection dropped without a close frame).
    public func closed() async -> UInt16 {
        await withCheckedContinuation { continuation in
            let code = outbox.withLock { box -> UInt16? in
                if let code = box.closedCode { return code }
                box.waiters.append(continuation)
                return nil
            }
            if let code { continuation.resume(returning: code) }
        }
    }

    /// True once the connection is gone.
    var isClosed: Bool { outbox.withLock { $0.closedCode != nil } }

    private static func schedule(_ box: inout Outbox) -> Bool {
        if box.scheduled { return false }
        box.scheduled = true
        return true
    }

    // MARK: I/O thread

    /// Delivers a received message to `messages`.
    func deliver(_ message: WebSocketMessage) { continuation.yield(message) }

    /// The connection is gone: records `code`, finishes `messages`, wakes `closed()`.
    func finish(code: UInt16) {
        let waiters = outbox.withLock { box -> [CheckedContinuation<UInt16, Never>] in
            box.closing = true
            box.closedCode = code
            box.texts.removeAll()
            box.textBytes = 0
            box.close = nil
            defer { box.waiters = [] }
            return box.waiters
        }
        continuation.finish()
        for waiter in waiters { waiter.resume(returning: code) }
    }
}

/// The sockets scheduled inside one `WebSocket.sendingTogether`, by loop.
///
/// Guarded by a lock, and it knows when it was handed over: a task created inside the
/// body inherits the task local and may send after the body returned; such a late
/// socket goes to its loop at once instead of into a list nobody hands over (where its
/// outbox would stay marked as scheduled and the socket would never be written again).
private final class SendBatch: Sendable {
    @TaskLocal static var current: SendBatch?

    private struct State {
        var sockets: [(loop: WebSocketLoop, sockets: [WebSocket])] = []
        var handedOver = false
    }

    private let state = Mutex(State())

    func add(_ socket: WebSocket, _ loop: WebSocketLoop) {
        let late = state.withLock { state -> Bool in
            guard !state.handedOver else { return true }
            if let i = state.sockets.firstIndex(where: { $0.loop === loop }) {
                state.sockets[i].sockets.append(socket)
            } else {
                state.sockets.append((loop, [socket]))
            }
            return false
        }
        if late { loop.schedule(socket) }
    }

    func handOver() {
        let taken = state.withLock { state in
            state.handedOver = true
            defer { state.sockets = [] }
            return state.sockets
        }
        for (loop, list) in taken { loop.schedule(list) }
    }
}

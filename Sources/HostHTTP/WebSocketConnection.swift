internal import CShims
internal import CWslay
internal import Glibc

/// The I/O thread's side of one WebSocket: the socket, libmicrohttpd's upgrade handle and the
/// wslay context, plus the ping and close-handshake clocks.
///
/// Owner of two C handles: the wslay context (freed once, in `teardown` or `deinit`) and the
/// upgrade handle (closed once with `MHD_upgrade_action(CLOSE)`, never `close()`).
// @unchecked Sendable: created on libmicrohttpd's thread and handed to the loop under its lock;
// from then on only the loop thread touches it.
final class WebSocketConnection: @unchecked Sendable {
    let descriptor: Int32
    let socket: WebSocket
    private var upgrade: OpaquePointer?
    private var context: wslay_event_context_ptr?
    private var extra: [UInt8]
    private var extraOffset = 0

    /// epoll events currently registered (0 before the first registration).
    var interest: UInt32 = 0
    /// Any byte received since the last ping.
    private var heard = true
    private var pingOutstanding = false
    private var nextPing: ContinuousClock.Instant
    /// Set once a close frame is queued or received: drop the peer if the handshake stalls.
    /// `closeTimeout` once our close frame is on the wire (or theirs arrived); while ours is
    /// still queued behind frames a slow reader has not taken, one ping interval.
    private var closeDeadline: ContinuousClock.Instant?
    /// The first close code seen (ours or the peer's).
    private var closeCode: UInt16?
    /// A non-urgent close waiting for the frames queued before it.
    private var pendingClose: (code: UInt16, reason: String)?
    private var failed = false
    /// Framed bytes wslay handed over and the kernel has not taken yet. wslay writes frame
    /// by frame (a `send` per frame); collecting its output here turns a turn's frames for
    /// this socket into one `send`, which is what lets one thread feed a thousand sockets.
    private var output: [UInt8] = []
    private var outputStart = 0
    /// Most framed bytes held here before wslay is told to wait (it keeps the rest queued).
    private static let outputLimit = 256 * 1024
    /// wslay's frame-level writer, for text frames that need none of the event layer's
    /// queueing (see `appendTextFrame`).
    private var frames: wslay_frame_context_ptr?

    init(descriptor: Int32, upgrade: OpaquePointer, extra: [UInt8], socket: WebSocket) {
        self.descriptor = descriptor
        self.upgrade = upgrade
        self.extra = extra
        self.socket = socket
        nextPing = .now + socket.options.pingInterval
        var callbacks = Self.callbacks
        var created: wslay_event_context_ptr?
        if wslay_event_context_server_init(&created, &callbacks, Unmanaged.passUnretained(self).toOpaque()) == 0 {
            context = created
            // A fixed kernel send buffer: what a slow reader can hold up stays small (and
            // the bound in `WebSocketOptions` is then most of it), and it stops autotuning
            // from growing to megabytes per socket with a thousand sockets open.
            var size = Int32(socket.options.sendBufferBytes)
            _ = setsockopt(descriptor, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
            // Frames go out as they are written (no Nagle delay behind an unacknowledged one).
            _ = sluice_tcp_nodelay(descriptor)
            wslay_event_config_set_max_recv_msg_length(created, UInt64(max(0, socket.options.maxMessageBytes)))
            var frameCallbacks = Self.frameCallbacks
            var writer: wslay_frame_context_ptr?
            if wslay_frame_context_init(&writer, &frameCallbacks, Unmanaged.passUnretained(self).toOpaque()) == 0 {
                frames = writer
            }
        }
    }

    deinit {
        if let context { wslay_event_context_free(context) }
        if let frames { wslay_frame_context_free(frames) }
        if let upgrade { _ = sluice_mhd_upgrade_close(upgrade) }
    }

    var isValid: Bool { context != nil }

    /// epoll events wanted now.
    var wantedEvents: UInt32 {
        guard let context else { return 0 }
        var events: UInt32 = 0
        if wslay_event_want_read(context) != 0 { events |= EPOLLIN.rawValue }
        if wslay_event_want_write(context) != 0 || hasOutput { events |= EPOLLOUT.rawValue }
        return events
    }

    /// True when the connection is finished (handshake done, error, or nothing more to do).
    var isDone: Bool { failed || context == nil || wantedEvents == 0 }

    // MARK: Events (loop thread)

    /// The socket is readable (or there are bytes from the upgrade to consume).
    func readable(now: ContinuousClock.Instant) {
        guard let context else { return }
        if wslay_event_recv(context) != 0 { failed = true }
        noteClose(now: now)
        flush(now: now)
    }

    /// The socket is writable again.
    func writable(now: ContinuousClock.Instant) {
        drainOutput()
        flush(now: now)
    }

    private var hasOutput: Bool { outputStart < output.count }

    /// Writes what the kernel takes of `output` (one `send` for every frame collected).
    private func drainOutput() {
        guard !failed, hasOutput else { return }
        let flags = sluice_ws_send_flags(0)
        while outputStart < output.count {
            let n = output.withUnsafeBufferPointer { buffer in
                Glibc.send(descriptor, buffer.baseAddress! + outputStart, buffer.count - outputStart, flags)
            }
            if n > 0 {
                outputStart += n
                continue
            }
            if n < 0, errno == EINTR { continue }
            if n < 0, errno == EAGAIN || errno == EWOULDBLOCK { break }
            failed = true  // the peer is gone
            return
        }
        if outputStart == output.count {
            output.removeAll(keepingCapacity: output.capacity <= 64 * 1024)
            outputStart = 0
        } else if outputStart > output.count / 2 {
            output.removeSubrange(0..<outputStart)
            outputStart = 0
        }
    }

    /// Bytes left over from the HTTP request (sent before the 101 went out).
    var hasExtra: Bool { extraOffset < extra.count }

    /// Moves what senders queued into wslay and writes.
    func pump(now: ContinuousClock.Instant) {
        guard let context else { return }
        let (texts, close) = socket.outbox.withLock { box in
            box.scheduled = false
            let taken = (box.texts, box.close)
            box.texts = []
            box.textBytes = 0
            box.close = nil
            return taken
        }
        for var text in texts {
            text.withUTF8 { bytes in
                if !appendTextFrame(bytes, context) {
                    var message = wslay_event_msg(opcode: 1, msg: bytes.baseAddress, msg_length: bytes.count)
                    _ = wslay_event_queue_msg(context, &message)
                }
            }
        }
        if let close {
            if close.urgent {
                queueClose(close.code, close.reason, now: now)
            } else {
                pendingClose = (close.code, close.reason)
            }
        }
        flush(now: now)
    }

    /// Frames one text message straight into `output` with wslay's frame layer when
    /// nothing of the event layer's is waiting or half-written for this socket; false to
    /// leave it to the event layer (which queues a copy of every message, then frames
    /// it: with 1,000 sockets, a copy and an allocation per socket per frame).
    private func appendTextFrame(_ payload: UnsafeBufferPointer<UInt8>, _ context: wslay_event_context_ptr) -> Bool {
        guard let frames, !failed, closeCode == nil, pendingClose == nil,
            wslay_event_get_queued_msg_count(context) == 0,
            output.count - outputStart + payload.count + 14 <= Self.outputLimit
        else { return false }
        var frame = wslay_frame_iocb(
            fin: 1, rsv: 0, opcode: 1, payload_length: UInt64(payload.count), mask: 0, data: payload.baseAddress,
            data_length: payload.count)
        // `frameSend` takes every byte (room was checked), so the frame is whole. Were it
        // not, the stream would hold half a frame: drop the connection rather than send it.
        if wslay_frame_send(frames, &frame) != payload.count { failed = true }
        return true
    }

    /// Pings, and drops peers that stalled a ping interval or a close handshake.
    /// Returns true when the connection must be torn down.
    func tick(now: ContinuousClock.Instant) -> Bool {
        guard let context else { return true }
        if let closeDeadline, now >= closeDeadline { return true }
        guard closeCode == nil, now >= nextPing else { return false }
        if pingOutstanding, !heard {
            // Silent for a whole interval: say why if the socket takes it, then drop it.
            queueClose(1001, "ping timeout", now: now)
            _ = wslay_event_send(context)
            drainOutput()
            failed = true
            return true
        }
        var ping = wslay_event_msg(opcode: 0x9, msg: nil, msg_length: 0)
        _ = wslay_event_queue_msg(context, &ping)
        pingOutstanding = true
        heard = false
        nextPing = now + socket.options.pingInterval
        flush(now: now)
        return false
    }

    /// Starts a close for the server going away (skips queued frames).
    func goAway(now: ContinuousClock.Instant) {
        socket.close(code: 1001, reason: "server shutting down", urgent: true)
        pump(now: now)
    }

    /// Frees the wslay context, closes the upgrade handle and tells the application.
    /// The caller has removed `descriptor` from epoll first (libmicrohttpd closes it).
    func teardown() {
        if let context {
            wslay_event_context_free(context)
            self.context = nil
        }
        if let frames {
            wslay_frame_context_free(frames)
            self.frames = nil
        }
        if let upgrade {
            _ = sluice_mhd_upgrade_close(upgrade)
            self.upgrade = nil
        }
        socket.finish(code: closeCode ?? 1006)
    }

    // MARK: Internals

    private func flush(now: ContinuousClock.Instant) {
        guard let context, !failed else { return }
        if wslay_event_want_write(context) != 0, wslay_event_send(context) != 0 { failed = true }
        if let close = pendingClose, wslay_event_get_queued_msg_count(context) == 0 {
            pendingClose = nil
            queueClose(close.code, close.reason, now: now)
            if wslay_event_send(context) != 0 { failed = true }
        }
        drainOutput()
        // Room again: let wslay frame what it still holds.
        if !failed, !hasOutput, wslay_event_want_write(context) != 0 {
            if wslay_event_send(context) != 0 { failed = true }
            drainOutput()
        }
        noteClose(now: now)
        let bytes = wslay_event_get_queued_msg_length(context) + (output.count - outputStart)
        let count = wslay_event_get_queued_msg_count(context)
        socket.outbox.withLock {
            $0.wslayBytes = bytes
            $0.wslayMessages = count
        }
    }

    private func queueClose(_ code: UInt16, _ reason: String, now: ContinuousClock.Instant) {
        guard let context else { return }
        var reason = reason
        let queued = reason.withUTF8 { bytes in wslay_event_queue_close(context, code, bytes.baseAddress, bytes.count) }
        if queued == 0, closeCode == nil { closeCode = code }
        noteClose(now: now)
    }

    /// Records the first close code (ours, the peer's, or one wslay queued for a protocol
    /// error) and starts the handshake clock.
    private func noteClose(now: ContinuousClock.Instant) {
        guard let context else { return }
        if closeCode != nil {
            // Already known (ours, or a 1007 from `received`).
        } else if wslay_event_get_close_received(context) != 0 {
            let code = wslay_event_get_status_code_received(context)
            closeCode = code == 0 ? 1005 : code
        } else if wslay_event_get_close_sent(context) != 0 {
            closeCode = wslay_event_get_status_code_sent(context)
        }
        guard closeCode != nil else { return }
        let onTheWire =
            (wslay_event_get_close_sent(context) != 0 && !hasOutput) || wslay_event_get_close_received(context) != 0
        let deadline = now + (onTheWire ? socket.options.closeTimeout : socket.options.pingInterval)
        if closeDeadline.map({ deadline < $0 }) ?? true { closeDeadline = deadline }
    }

    fileprivate func received(_ argument: wslay_event_on_msg_recv_arg, context: wslay_event_context_ptr) {
        switch argument.opcode {
        case 0x1:
            let bytes = UnsafeBufferPointer(start: argument.msg, count: argument.msg_length)
            if let text = String(validating: bytes, as: UTF8.self) {
                socket.deliver(.text(text))
            } else {
                _ = wslay_event_queue_close(context, 1007, nil, 0)
                wslay_event_shutdown_read(context)
                if closeCode == nil { closeCode = 1007 }
            }
        case 0x2:
            socket.deliver(.binary(Array(UnsafeBufferPointer(start: argument.msg, count: argument.msg_length))))
        case 0x8:
            if closeCode == nil { closeCode = argument.status_code == 0 ? 1005 : argument.status_code }
        default:
            break  // ping (wslay answers it) and pong: `heard` is set on every read
        }
    }

    fileprivate func receive(
        into buffer: UnsafeMutablePointer<UInt8>, count: Int, context: wslay_event_context_ptr
    ) -> Int {
        if extraOffset < extra.count {
            let n = min(count, extra.count - extraOffset)
            extra.withUnsafeBufferPointer { source in
                buffer.update(from: source.baseAddress! + extraOffset, count: n)
            }
            extraOffset += n
            if extraOffset == extra.count {
                extra = []
                extraOffset = 0
            }
            heard = true
            return n
        }
        while true {
            let n = recv(descriptor, buffer, count, 0)
            if n > 0 {
                heard = true
                return n
            }
            if n < 0, errno == EINTR { continue }
            let wouldBlock = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
            wslay_event_set_error(
                context, wouldBlock ? WSLAY_ERR_WOULDBLOCK.rawValue : WSLAY_ERR_CALLBACK_FAILURE.rawValue)
            return -1
        }
    }

    fileprivate func transmit(
        _ data: UnsafePointer<UInt8>, count: Int, context: wslay_event_context_ptr
    ) -> Int {
        let held = output.count - outputStart
        guard held < Self.outputLimit else {
            wslay_event_set_error(context, WSLAY_ERR_WOULDBLOCK.rawValue)
            return -1
        }
        let n = min(count, Self.outputLimit - held)
        output.append(contentsOf: UnsafeBufferPointer(start: data, count: n))
        return n
    }

    /// The frame layer's output: every byte into `output` (room was checked first).
    fileprivate func frameSend(_ data: UnsafePointer<UInt8>, count: Int) -> Int {
        output.append(contentsOf: UnsafeBufferPointer(start: data, count: count))
        return count
    }

    private static let frameCallbacks = wslay_frame_callbacks(
        send_callback: { data, count, _, user in
            guard let data, let user else { return -1 }
            return Unmanaged<WebSocketConnection>.fromOpaque(user).takeUnretainedValue().frameSend(data, count: count)
        },
        recv_callback: { _, _, _, _ in -1 },  // never read through the frame layer
        genmask_callback: nil)

    private static let callbacks = wslay_event_callbacks(
        recv_callback: { context, buffer, count, _, user in
            guard let context, let buffer, let user else { return -1 }
            let connection = Unmanaged<WebSocketConnection>.fromOpaque(user).takeUnretainedValue()
            return connection.receive(into: buffer, count: count, context: context)
        },
        send_callback: { context, data, count, _, user in
            guard let context, let data, let user else { return -1 }
            let connection = Unmanaged<WebSocketConnection>.fromOpaque(user).takeUnretainedValue()
            return connection.transmit(data, count: count, context: context)
        },
        genmask_callback: nil,
        on_frame_recv_start_callback: nil,
        on_frame_recv_chunk_callback: nil,
        on_frame_recv_end_callback: nil,
        on_msg_recv_callback: { context, argument, user in
            guard let context, let argument, let user else { return }
            let connection = Unmanaged<WebSocketConnection>.fromOpaque(user).takeUnretainedValue()
            connection.received(argument.pointee, context: context)
        })
}

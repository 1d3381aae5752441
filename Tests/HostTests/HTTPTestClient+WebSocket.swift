import Foundation

/// A deliberately small blocking WebSocket client over a raw socket: handshake, masked (or,
/// for hostile tests, unmasked) frames, and frame reading. Pings are answered while reading.
final class WebSocketTestClient: @unchecked Sendable {
    struct Frame {
        var opcode: UInt8
        var payload: [UInt8]
        var text: String { String(decoding: payload, as: UTF8.self) }
        /// The close code of a close frame (1005 when it has none).
        var closeCode: UInt16? {
            guard opcode == 8 else { return nil }
            return payload.count >= 2 ? UInt16(payload[0]) << 8 | UInt16(payload[1]) : 1005
        }
    }

    struct HandshakeFailed: Error { var status: String }

    let fd: Int32
    private var pending: [UInt8] = []

    /// Connects and upgrades; throws unless the server answers 101 with the right accept value.
    init(port: UInt16, path: String = "/ws", timeout: Int = 30) throws {
        fd = try LoopbackSocket.connect(port: port, timeout: timeout)
        let key = "dGhlIHNhbXBsZSBub25jZQ=="
        sendRaw(
            Array(
                "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: \(key)\r\nSec-WebSocket-Version: 13\r\n\r\n"
                    .utf8))
        while headerEnd() == nil {
            guard fill() else { throw HandshakeFailed(status: "closed") }
        }
        let end = headerEnd()!
        let head = String(decoding: pending[..<end], as: UTF8.self)
        pending.removeFirst(end + 4)
        guard head.hasPrefix("HTTP/1.1 101"), head.contains("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") else {
            throw HandshakeFailed(status: head)
        }
    }

    deinit { close(fd) }

    /// Sets the kernel receive buffer (call right after connecting to model a slow reader).
    func setReceiveBuffer(_ bytes: Int32) {
        var size = bytes
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }

    @discardableResult
    func sendRaw(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }

    /// Sends one frame, masked unless `masked` is false (a protocol violation from a client).
    @discardableResult
    func sendFrame(opcode: UInt8, _ payload: [UInt8], masked: Bool = true, fin: Bool = true) -> Bool {
        var frame: [UInt8] = [(fin ? 0x80 : 0) | opcode]
        let maskBit: UInt8 = masked ? 0x80 : 0
        if payload.count < 126 {
            frame.append(maskBit | UInt8(payload.count))
        } else if payload.count <= 0xFFFF {
            frame += [maskBit | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        } else {
            frame.append(maskBit | 127)
            for shift in stride(from: 56, through: 0, by: -8) { frame.append(UInt8((payload.count >> shift) & 0xFF)) }
        }
        if masked {
            let mask: [UInt8] = [0x12, 0x34, 0x56, 0x78]
            frame += mask
            frame += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        } else {
            frame += payload
        }
        return sendRaw(frame)
    }

    @discardableResult
    func send(text: String) -> Bool { sendFrame(opcode: 1, Array(text.utf8)) }

    /// Sends a close frame with `code`.
    @discardableResult
    func sendClose(_ code: UInt16) -> Bool { sendFrame(opcode: 8, [UInt8(code >> 8), UInt8(code & 0xFF)]) }

    /// The next frame from the server (pings are answered and skipped); nil on EOF or timeout.
    func readFrame() -> Frame? {
        while true {
            guard let frame = readAnyFrame() else { return nil }
            if frame.opcode == 9 {
                sendFrame(opcode: 0xA, frame.payload)
                continue
            }
            return frame
        }
    }

    /// The next frame of any kind, pings included.
    func readAnyFrame() -> Frame? {
        guard need(2) else { return nil }
        let opcode = pending[0] & 0x0F
        var length = Int(pending[1] & 0x7F)
        var offset = 2
        if length == 126 {
            guard need(4) else { return nil }
            length = Int(pending[2]) << 8 | Int(pending[3])
            offset = 4
        } else if length == 127 {
            guard need(10) else { return nil }
            length = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            offset = 10
        }
        guard need(offset + length) else { return nil }
        let payload = Array(pending[offset..<(offset + length)])
        pending.removeFirst(offset + length)
        return Frame(opcode: opcode, payload: payload)
    }

    /// Reads until a close frame and returns its code (nil if the connection ended without one).
    func readCloseCode() -> UInt16? {
        while let frame = readFrame() {
            if let code = frame.closeCode { return code }
        }
        return nil
    }

    /// True when the server has closed the TCP connection within the read timeout.
    func isClosedByPeer() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
        }
    }

    private func need(_ count: Int) -> Bool {
        while pending.count < count { guard fill() else { return false } }
        return true
    }

    private func headerEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i
        }
        return nil
    }

    private func fill() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return false }
        pending += buffer[..<n]
        return true
    }
}

/// Runs blocking client work on its own thread, so tests never block the cooperative pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: work()) }.start()
    }
}

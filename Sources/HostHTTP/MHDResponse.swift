internal import CMicroHTTPD

/// Turns an `HTTPResponse` into a libmicrohttpd response and queues it.
enum MHDResponse {
    /// Queues `response` on `connection` (only from the access handler, or while suspended).
    /// The body is copied (`MHD_RESPMEM_MUST_COPY`): libmicrohttpd never holds Swift memory;
    /// a file body's descriptor is handed over instead.
    static func queue(_ response: HTTPResponse, on connection: OpaquePointer, close: Bool) -> MHD_Result {
        if let upgrade = response.upgrade { return queueUpgrade(response, upgrade, on: connection) }
        var created: OpaquePointer?
        if let file = response.file {
            // libmicrohttpd reads the file as it sends and closes the descriptor after.
            _ = file.handOver { fd in
                created = MHD_create_response_from_fd64(UInt64(file.size), fd)
                return created != nil
            }
        } else {
            created = response.body.withUnsafeBytes { bytes in
                MHD_create_response_from_buffer(
                    bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), mustCopy)
            }
        }
        guard let mhdResponse = created else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers where !isManagedByMHD(name) {
            _ = name.withCString { n in value.withCString { v in MHD_add_response_header(mhdResponse, n, v) } }
        }
        if close { _ = MHD_add_response_header(mhdResponse, "Connection", "close") }
        return MHD_queue_response(connection, UInt32(clamping: response.status), mhdResponse)
    }

    /// A 101 reply: libmicrohttpd calls `upgradeCallback` once it is sent.
    private static func queueUpgrade(
        _ response: HTTPResponse, _ upgrade: WebSocketUpgrade, on connection: OpaquePointer
    ) -> MHD_Result {
        guard let loop = upgrade.loop else { return .NO }
        // Released once, in `upgradeCallback`, or here when nothing was queued. (If the
        // connection dies before the 101 is written, libmicrohttpd never calls back and
        // this small box leaks.)
        let box = Unmanaged.passRetained(UpgradeBox(upgrade: upgrade, loop: loop)).toOpaque()
        guard let mhdResponse = MHD_create_response_for_upgrade(upgradeCallback, box) else {
            Unmanaged<UpgradeBox>.fromOpaque(box).release()
            return .NO
        }
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers where !isManagedByMHD(name) {
            _ = name.withCString { n in value.withCString { v in MHD_add_response_header(mhdResponse, n, v) } }
        }
        let result = MHD_queue_response(connection, 101, mhdResponse)
        if result == .NO { Unmanaged<UpgradeBox>.fromOpaque(box).release() }
        return result
    }

    // MHD_RESPMEM_MUST_COPY = 2 (never MUST_FREE = 1: that would free Swift memory).
    private static let mustCopy = MHD_ResponseMemoryMode(rawValue: 2)!

    /// libmicrohttpd computes these itself and rejects or duplicates ours.
    private static func isManagedByMHD(_ name: String) -> Bool {
        let headers = HTTPHeaders([(name, "")])
        return headers["content-length"] != nil || headers["transfer-encoding"] != nil
    }
}

/// The upgrade callback's context.
private final class UpgradeBox {
    let upgrade: WebSocketUpgrade
    let loop: WebSocketLoop
    init(upgrade: WebSocketUpgrade, loop: WebSocketLoop) {
        self.upgrade = upgrade
        self.loop = loop
    }
}

/// libmicrohttpd's thread, once the 101 is sent: the socket (non-blocking) and any bytes
/// already read go to the WebSocket loop. Must not block.
private let upgradeCallback: MHD_UpgradeHandler = { cls, _, _, extraIn, extraSize, socket, handle in
    guard let cls else { return }
    let box = Unmanaged<UpgradeBox>.fromOpaque(cls).takeRetainedValue()
    guard let handle else { return }
    var extra: [UInt8] = []
    if let extraIn, extraSize > 0 {
        extra = Array(UnsafeRawBufferPointer(start: extraIn, count: extraSize))
    }
    box.loop.adopt(
        descriptor: socket, upgrade: handle, extra: extra, options: box.upgrade.options, run: box.upgrade.run)
}

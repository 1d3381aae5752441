internal import CMicroHTTPD

/// Turns an `HTTPResponse` into a libmicrohttpd response and queues it.
enum MHDResponse {
    /// Queues `response` on `connection` (only from the access handler, or while suspended).
    /// The body is copied (`MHD_RESPMEM_MUST_COPY`): libmicrohttpd never holds Swift memory.
    static func queue(_ response: HTTPResponse, on connection: OpaquePointer, close: Bool) -> MHD_Result {
        // Extension point: a WebSocket upgrade reply would be built here with
        // `MHD_create_response_for_upgrade` instead of a buffer response.
        let created = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(
                bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), mustCopy)
        }
        guard let mhdResponse = created else { return .NO }
        defer { MHD_destroy_response(mhdResponse) }
        for (name, value) in response.headers where !isManagedByMHD(name) {
            _ = name.withCString { n in value.withCString { v in MHD_add_response_header(mhdResponse, n, v) } }
        }
        if close { _ = MHD_add_response_header(mhdResponse, "Connection", "close") }
        return MHD_queue_response(connection, UInt32(clamping: response.status), mhdResponse)
    }

    // MHD_RESPMEM_MUST_COPY = 2 (never MUST_FREE = 1: that would free Swift memory).
    private static let mustCopy = MHD_ResponseMemoryMode(rawValue: 2)!

    /// libmicrohttpd computes these itself and rejects or duplicates ours.
    private static func isManagedByMHD(_ name: String) -> Bool {
        let headers = HTTPHeaders([(name, "")])
        return headers["content-length"] != nil || headers["transfer-encoding"] != nil
    }
}

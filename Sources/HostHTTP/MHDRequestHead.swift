internal import CMicroHTTPD
internal import CShims
internal import Glibc

/// Reads a request head out of libmicrohttpd (which has parsed and decoded it).
enum MHDRequestHead {
    static func read(
        _ connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>
    ) -> HTTPRequestHead {
        let headers = HTTPHeaders(values(connection, kind: .HEADER_KIND))
        var query: [String: String] = [:]
        for (key, value) in values(connection, kind: .GET_ARGUMENT_KIND) { query[key] = value }
        var contentLength: Int?
        if let text = headers["content-length"], let length = Int(text), length >= 0 { contentLength = length }
        return HTTPRequestHead(
            method: String(cString: method), path: String(cString: url), query: query, headers: headers,
            remoteAddress: remoteAddress(connection), contentLength: contentLength)
    }

    /// Every value of `kind` with its decoded length, so a `%00` in a query value is kept
    /// (the plain iterator hands C strings, which would end the value there).
    private static func values(_ connection: OpaquePointer, kind: MHD_ValueKind) -> [(String, String)] {
        var pairs: [(String, String)] = []
        withUnsafeMutablePointer(to: &pairs) { pointer in
            _ = MHD_get_connection_values_n(connection, kind, collectValue, pointer)
        }
        return pairs
    }

    private static func remoteAddress(_ connection: OpaquePointer) -> String {
        guard let address = sluice_mhd_client_address(connection) else { return "" }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                var raw = ipv4.pointee.sin_addr
                _ = inet_ntop(AF_INET, &raw, &text, socklen_t(text.count))
            }
        case AF_INET6:
            address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { ipv6 in
                var raw = ipv6.pointee.sin6_addr
                _ = inet_ntop(AF_INET6, &raw, &text, socklen_t(text.count))
            }
        default: return ""
        }
        return text.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }
}

private let collectValue: MHD_KeyValueIteratorN = { cls, _, key, keySize, value, valueSize in
    guard let cls, let key else { return .YES }
    let pairs = cls.assumingMemoryBound(to: [(String, String)].self)
    pairs.pointee.append((text(key, keySize), value.map { text($0, valueSize) } ?? ""))
    return .YES
}

private func text(_ bytes: UnsafePointer<CChar>, _ count: Int) -> String {
    String(decoding: UnsafeRawBufferPointer(start: bytes, count: count), as: UTF8.self)
}

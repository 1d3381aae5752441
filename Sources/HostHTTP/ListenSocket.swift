internal import Glibc

/// A bound, listening, non-blocking TCP socket handed to libmicrohttpd.
///
/// We bind it ourselves (rather than `MHD_OPTION_SOCK_ADDR`) so a failure reports the real
/// `errno` — "address already in use" — which `MHD_start_daemon` does not expose.
struct ListenSocket {
    let descriptor: Int32
    let port: UInt16

    /// Binds `host` (a numeric IPv4 or IPv6 address) and `port` (0 picks a free one).
    static func open(host: String, port: UInt16, backlog: Int32 = 1024) throws(HTTPServerError) -> ListenSocket {
        let isIPv6 = host.contains(":")
        let shown = isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)"
        func failure(_ what: String, _ err: Int32) -> HTTPServerError {
            var text = String(cString: strerror(err))
            if let first = text.first { text = first.lowercased() + text.dropFirst() }
            return HTTPServerError(.cannotListen, "cannot listen on \(shown): \(what)\(text)")
        }
        let family = isIPv6 ? AF_INET6 : AF_INET
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue | SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw failure("socket: ", errno) }
        var ok = true
        var one: Int32 = 1
        // Restarting right after a stop must not fail on TIME_WAIT connections.
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var bound: Int32
        if isIPv6 {
            setsockopt(fd, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &one, socklen_t(MemoryLayout<Int32>.size))
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_port = port.bigEndian
            ok = inet_pton(AF_INET6, host, &address.sin6_addr) == 1
            bound = ok ? withUnsafePointer(to: &address) { bindAny(fd, $0) } : -1
        } else {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            ok = inet_pton(AF_INET, host, &address.sin_addr) == 1
            bound = ok ? withUnsafePointer(to: &address) { bindAny(fd, $0) } : -1
        }
        guard ok else {
            close(fd)
            throw HTTPServerError(
                .invalidConfiguration, "cannot listen on \(shown): not a numeric IPv4 or IPv6 address")
        }
        guard bound == 0 else {
            let err = errno
            close(fd)
            throw failure("", err)
        }
        guard listen(fd, backlog) == 0 else {
            let err = errno
            close(fd)
            throw failure("listen: ", err)
        }
        return ListenSocket(descriptor: fd, port: boundPort(fd, isIPv6: isIPv6) ?? port)
    }

    private static func bindAny<Address>(_ fd: Int32, _ address: UnsafePointer<Address>) -> Int32 {
        address.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<Address>.size))
        }
    }

    private static func boundPort(_ fd: Int32, isIPv6: Bool) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard got == 0 else { return nil }
        return withUnsafePointer(to: &storage) { pointer in
            isIPv6
                ? pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin6_port)
                }
                : pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                    UInt16(bigEndian: $0.pointee.sin_port)
                }
        }
    }
}

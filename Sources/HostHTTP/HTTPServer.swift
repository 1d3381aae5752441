internal import Synchronization

/// An HTTP/1.1 server on libmicrohttpd: it parses, keeps connections alive and enforces
/// limits; every request goes to one `HTTPHandler`.
///
/// Thread-safe. Lifetime: `start()` once, `shutdown(gracePeriod:)` once; dropping a started
/// server stops it abruptly.
///
/// ```swift
/// let server = try HTTPServer(configuration: .init(), handler: Router())
/// try server.start()
/// // on SIGTERM:
/// await server.shutdown(gracePeriod: .seconds(10))
/// ```
public final class HTTPServer: Sendable {
    /// Listening address, limits and threads.
    public struct Configuration: Sendable {
        /// Numeric address to bind; loopback only by default. `"::1"` works too.
        public var host = "127.0.0.1"
        /// Port to bind; 0 picks a free port (read it back from `HTTPServer.port`).
        public var port: UInt16 = 8080
        /// Most simultaneous connections; more are refused at accept.
        public var connectionLimit = 1024
        /// Seconds of inactivity before libmicrohttpd closes a connection (0 = never).
        /// Connections waiting on a handler (suspended) do not time out.
        public var connectionTimeout = 30
        /// Per-connection memory pool; bounds the request line plus headers (larger → 4xx/close).
        public var memoryLimitPerConnection = 64 * 1024
        /// Most simultaneous connections from one address; 0 = no limit.
        public var perIPConnectionLimit = 0
        /// libmicrohttpd's internal thread pool size (each thread polls with epoll).
        public var threads = 2
        /// Let libmicrohttpd print its own diagnostics to stderr (off: it would log every
        /// hostile client).
        public var logErrors = false

        /// The defaults above.
        public init() {}
    }

    private enum Phase {
        case created
        case running(MHDDaemon)
        case stopped
    }

    private let configuration: Configuration
    private let handler: any HTTPHandler
    private let phase = Mutex(Phase.created)
    private let boundPort: Mutex<UInt16>

    /// Validates the configuration; nothing is bound until `start()`.
    public init(configuration: Configuration, handler: any HTTPHandler) throws {
        guard configuration.threads >= 1, configuration.connectionLimit >= 1 else {
            throw HTTPServerError(.invalidConfiguration, "HTTP server needs at least one thread and one connection")
        }
        guard configuration.host.contains(":") || configuration.host.split(separator: ".").count == 4 else {
            throw HTTPServerError(
                .invalidConfiguration, "HTTP host '\(configuration.host)' is not a numeric IPv4 or IPv6 address")
        }
        self.configuration = configuration
        self.handler = handler
        self.boundPort = Mutex(configuration.port)
    }

    /// The bound port once started (the configured one before).
    public var port: UInt16 { boundPort.withLock { $0 } }

    /// Binds the address and starts libmicrohttpd's threads.
    /// Throws `HTTPServerError` (e.g. "cannot listen on 127.0.0.1:8080: address already in use").
    public func start() throws {
        try phase.withLock { phase throws(HTTPServerError) in
            guard case .created = phase else { throw HTTPServerError(.invalidState, "HTTP server already started") }
            let socket = try ListenSocket.open(host: configuration.host, port: configuration.port)
            let daemon = MHDDaemon(handler: handler)
            try daemon.start(socket: socket, configuration: configuration)
            boundPort.withLock { $0 = socket.port }
            phase = .running(daemon)
        }
    }

    /// Stops accepting (`MHD_quiesce_daemon`), closes every WebSocket with 1001 (going away),
    /// lets in-flight requests finish for up to
    /// `gracePeriod`, then aborts the rest (their `body.next()` throws, connections close)
    /// and stops libmicrohttpd. Replies sent meanwhile carry `Connection: close`.
    public func shutdown(gracePeriod: Duration) async {
        let current = phase.withLock { phase -> MHDDaemon? in
            defer { phase = .stopped }
            if case .running(let daemon) = phase { return daemon }
            return nil
        }
        guard let daemon = current else { return }
        daemon.quiesce()
        // WebSockets never finish by themselves: close them with 1001 and give the peers a
        // moment to answer; the loop then drops the rest and its thread exits.
        daemon.webSockets.goAway()
        await Self.wait(upTo: min(gracePeriod, .seconds(2))) { daemon.webSockets.count == 0 }
        daemon.webSockets.stop()
        await Self.wait(for: daemon, upTo: gracePeriod)
        let resumed = daemon.abortAll()
        // Aborted suspended connections are resumed and closed by libmicrohttpd's threads;
        // stopping with one still suspended is an API violation, so let them get there.
        await Self.wait(upTo: .seconds(1)) { daemon.pending(resumed) == 0 }
        daemon.stop()
    }

    private static func wait(for daemon: MHDDaemon, upTo limit: Duration) async {
        await wait(upTo: limit) { daemon.inFlight == 0 }
    }

    private static func wait(upTo limit: Duration, until done: () -> Bool) async {
        let deadline = ContinuousClock.now + limit
        while !done(), ContinuousClock.now < deadline, !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    deinit {
        if case .running(let daemon) = phase.withLock({ $0 }) {
            daemon.abortAll()
            daemon.stop()
        }
    }
}

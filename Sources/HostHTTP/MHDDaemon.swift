internal import CMicroHTTPD
internal import CShims
internal import Glibc
internal import Synchronization

/// Owns one running `MHD_Daemon` and the requests it has in flight.
///
/// libmicrohttpd's callbacks get this object as an unretained pointer; `start` retains it
/// once for the daemon's lifetime and `stop` releases it after `MHD_stop_daemon` has joined
/// the daemon's threads, so no callback can outlive it.
final class MHDDaemon: Sendable {
    private struct Live {
        var requests: [ObjectIdentifier: RequestContext] = [:]
        var draining = false
        var refusing = false
        var quiescedSocket: Int32?
    }

    let handler: any HTTPHandler
    /// The I/O thread of every upgraded WebSocket of this daemon.
    let webSockets = WebSocketLoop()
    private let live = Mutex(Live())
    // Set once in `start` before any callback can run, cleared in `stop`; every other
    // access is from libmicrohttpd's threads while the daemon runs.
    nonisolated(unsafe) private var daemon: OpaquePointer?

    init(handler: any HTTPHandler) { self.handler = handler }

    /// Starts libmicrohttpd on `socket`; on failure the socket is closed.
    func start(socket: ListenSocket, configuration: HTTPServer.Configuration) throws(HTTPServerError) {
        var flags =
            MHD_USE_INTERNAL_POLLING_THREAD.rawValue | MHD_USE_EPOLL.rawValue
            | MHD_ALLOW_SUSPEND_RESUME.rawValue | MHD_USE_TURBO.rawValue | MHD_ALLOW_UPGRADE.rawValue
        if configuration.logErrors { flags |= MHD_USE_ERROR_LOG.rawValue }
        var options: [MHD_OptionItem] = [
            MHD_OptionItem(option: .LISTEN_SOCKET, value: Int(socket.descriptor), ptr_value: nil),
            MHD_OptionItem(
                option: .CONNECTION_LIMIT, value: max(1, configuration.connectionLimit), ptr_value: nil),
            MHD_OptionItem(
                option: .CONNECTION_TIMEOUT, value: max(0, configuration.connectionTimeout), ptr_value: nil),
            MHD_OptionItem(
                option: .CONNECTION_MEMORY_LIMIT, value: max(4096, configuration.memoryLimitPerConnection),
                ptr_value: nil),
        ]
        if configuration.perIPConnectionLimit > 0 {
            options.append(
                MHD_OptionItem(
                    option: .PER_IP_CONNECTION_LIMIT, value: configuration.perIPConnectionLimit,
                    ptr_value: nil))
        }
        if configuration.threads > 1 {
            options.append(
                MHD_OptionItem(option: .THREAD_POOL_SIZE, value: configuration.threads, ptr_value: nil))
        }
        options.append(MHD_OptionItem(option: .END, value: 0, ptr_value: nil))

        let context = Unmanaged.passRetained(self).toOpaque()
        let started = options.withUnsafeMutableBufferPointer { items in
            sluice_mhd_start_daemon(
                UInt32(flags), accessHandlerCallback, context, requestCompletedCallback, context, items.baseAddress)
        }
        guard let started else {
            Unmanaged<MHDDaemon>.fromOpaque(context).release()
            close(socket.descriptor)
            throw HTTPServerError(
                .cannotStart, "cannot start the HTTP server on port \(socket.port): libmicrohttpd refused the options")
        }
        daemon = started
        webSockets.start()
    }

    /// Number of requests between their headers and libmicrohttpd's completion callback.
    var inFlight: Int { live.withLock { $0.requests.count } }

    /// Stops accepting connections; replies from now on ask clients to close.
    func quiesce() {
        guard let daemon else { return }
        let fd = MHD_quiesce_daemon(daemon)
        live.withLock {
            $0.draining = true
            if fd >= 0 { $0.quiescedSocket = fd }
        }
    }

    /// Gives up on every request still in flight and refuses new ones on open connections.
    /// Returns the requests whose connections were suspended and are now being closed.
    @discardableResult
    func abortAll() -> [ObjectIdentifier] {
        let requests = live.withLock {
            $0.refusing = true
            return Array($0.requests.values)
        }
        return requests.filter { $0.abort() }.map { ObjectIdentifier($0) }
    }

    /// How many of `requests` libmicrohttpd has not completed yet.
    func pending(_ requests: [ObjectIdentifier]) -> Int {
        live.withLock { live in requests.count { live.requests[$0] != nil } }
    }

    /// Stops libmicrohttpd (joining its threads) and releases the callbacks' reference.
    /// Call after `abortAll()` so no connection is left suspended.
    func stop() {
        guard let daemon else { return }
        self.daemon = nil
        // libmicrohttpd refuses to stop with upgraded sockets it has not been told to close.
        webSockets.stop()
        MHD_stop_daemon(daemon)
        if let fd = live.withLock({ $0.quiescedSocket }) { close(fd) }
        Unmanaged.passUnretained(self).release()
    }

    /// Receive buffer of a connection carrying a large or chunked body (the kernel doubles it).
    static let uploadReceiveBuffer: Int32 = 256 << 10

    // MARK: Callbacks (libmicrohttpd's threads)

    fileprivate func begin(
        _ connection: OpaquePointer, url: UnsafePointer<CChar>, method: UnsafePointer<CChar>,
        slot: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    ) -> MHD_Result {
        if live.withLock({ $0.refusing }) { return .NO }
        let head = MHDRequestHead.read(connection, url: url, method: method)
        let socket = sluice_mhd_connection_fd(connection)
        let expectsContinue = head.headers["expect"]?.lowercased() == "100-continue"
        let context = RequestContext(
            connection: connection, socket: socket, contentLength: head.contentLength,
            expectsContinue: expectsContinue)
        live.withLock { $0.requests[ObjectIdentifier(context)] = context }
        // Released exactly once, in `requestCompletedCallback`.
        slot.pointee = Unmanaged.passRetained(context).toOpaque()
        // A large or chunked body: hold the connection here, where libmicrohttpd still takes
        // an early reply, until the handler reads the body or answers (see `RequestState`).
        let chunked = head.headers["transfer-encoding"].map { $0.lowercased().contains("chunked") } ?? false
        let hold = RequestState.holdsHeaders(contentLength: head.contentLength, chunked: chunked)
        if hold, socket >= 0 {
            // Backpressure must reach the client: with the kernel's autotuned receive buffer
            // (up to 32 MiB here) a client could send that much past a suspended connection,
            // and past a limit the handler enforces. A fixed buffer keeps that near 1 MiB.
            var size = Self.uploadReceiveBuffer
            _ = setsockopt(socket, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        let result = context.mhdHeaders(hold: hold)
        let handler = self.handler
        // The callback thread only hands over: the handler runs on the cooperative pool.
        let start: @Sendable () -> Void = {
            Task {
                var response = await handler.handle(head, body: HTTPBody(context))
                response.upgrade?.loop = self.webSockets
                context.respond(response)
            }
        }
        if hold {
            start()
        } else {
            // A small body is read by the time libmicrohttpd reports its end: starting the
            // handler then spares it a wait for the body and a second hand-over between
            // threads (a webhook's reply and event came ~40 µs sooner).
            context.startWhenBodyEnds(start)
        }
        return result
    }

    fileprivate func proceed(
        _ context: RequestContext, upload: UnsafePointer<CChar>?, size: UnsafeMutablePointer<Int>
    ) -> MHD_Result {
        let close = live.withLock { $0.draining }
        let count = size.pointee
        guard count > 0, let upload else {
            let result = context.mhdUploadEnded(closeAfterReply: close)
            context.startIfWaiting()
            return result
        }
        size.pointee = 0  // copied below: libmicrohttpd may reuse its buffer
        return context.mhdUpload(UnsafeRawBufferPointer(start: upload, count: count), closeAfterReply: close)
    }

    fileprivate func completed(_ context: RequestContext, ok: Bool) {
        context.mhdCompleted(ok: ok)
        live.withLock { _ = $0.requests.removeValue(forKey: ObjectIdentifier(context)) }
    }
}

private let accessHandlerCallback: MHD_AccessHandlerCallback = {
    cls, connection, url, method, _, uploadData, uploadDataSize, slot in
    guard let cls, let connection, let url, let method, let uploadDataSize, let slot else { return .NO }
    let daemon = Unmanaged<MHDDaemon>.fromOpaque(cls).takeUnretainedValue()
    guard let existing = slot.pointee else {
        // First call: headers only. Never queue here, or libmicrohttpd answers `Connection: close`.
        return daemon.begin(connection, url: url, method: method, slot: slot)
    }
    let context = Unmanaged<RequestContext>.fromOpaque(existing).takeUnretainedValue()
    return daemon.proceed(context, upload: uploadData, size: uploadDataSize)
}

private let requestCompletedCallback: MHD_RequestCompletedCallback = { cls, _, slot, termination in
    guard let cls, let slot, let existing = slot.pointee else { return }
    slot.pointee = nil
    let context = Unmanaged<RequestContext>.fromOpaque(existing).takeRetainedValue()
    let daemon = Unmanaged<MHDDaemon>.fromOpaque(cls).takeUnretainedValue()
    // 0 is MHD_REQUEST_TERMINATED_COMPLETED_OK: the reply went out; anything else ended early.
    daemon.completed(context, ok: termination.rawValue == 0)
}

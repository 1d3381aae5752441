internal import CShims
internal import Glibc
internal import Synchronization

/// The one I/O thread that owns every upgraded WebSocket of a server: an epoll loop over
/// their sockets plus an eventfd that other threads use to hand work over.
///
/// Senders never touch a socket: `WebSocket.send` appends to that socket's outbox and puts the
/// socket on `dirty` (once until the loop takes it), and the first entry since the last
/// wake-up writes the eventfd. A broadcast sends inside `WebSocket.sendingTogether`, which
/// puts all its sockets on `dirty` at once: N small locked appends and one syscall on the
/// caller's side, and one wake-up of the loop, which writes the frames.
final class WebSocketLoop: Sendable {
    private struct Shared {
        var adopted: [WebSocketConnection] = []
        var dirty: [WebSocket] = []
        /// Run after the next turn's writes (see `afterPendingWrites`).
        var barriers: [@Sendable () -> Void] = []
        var signaled = false
        var goingAway = false
        var stopping = false
        var started = false
        var stopped = false
        /// Connections adopted and not yet torn down.
        var count = 0
    }

    private let shared = Mutex(Shared())
    private let epoll: Int32
    private let wake: Int32
    // Loop-thread only (after `start`).
    nonisolated(unsafe) private var connections: [Int32: WebSocketConnection] = [:]
    // Written in `start` before the thread runs and read in `stop`; the server serialises both.
    nonisolated(unsafe) private var thread: pthread_t?

    /// How often the loop checks ping and close deadlines while it has connections.
    static let tick: Duration = .milliseconds(50)

    init() {
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wake = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wake
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, wake, &event)
    }

    deinit {
        close(wake)
        close(epoll)
    }

    /// Starts the I/O thread (once).
    func start() {
        guard
            shared.withLock({ state in
                defer { state.started = true }
                return !state.started
            })
        else { return }
        let retained = Unmanaged.passRetained(self).toOpaque()
        var created = pthread_t()
        let result = pthread_create(
            &created, nil,
            { argument in
                let loop = Unmanaged<WebSocketLoop>.fromOpaque(argument!).takeRetainedValue()
                loop.run()
                return nil
            }, retained)
        if result == 0 {
            thread = created
        } else {
            Unmanaged<WebSocketLoop>.fromOpaque(retained).release()
            shared.withLock { $0.stopped = true }
        }
    }

    /// WebSockets open (adopted and not yet torn down).
    var count: Int { shared.withLock { $0.count } }

    /// Takes over an upgraded socket (libmicrohttpd's thread, inside the upgrade callback)
    /// and starts `run` on the cooperative pool.
    func adopt(
        descriptor: Int32, upgrade: OpaquePointer, extra: [UInt8], options: WebSocketOptions,
        run: @escaping @Sendable (WebSocket) async -> Void
    ) {
        let socket = WebSocket(options: options, loop: self, descriptor: descriptor)
        let connection = WebSocketConnection(descriptor: descriptor, upgrade: upgrade, extra: extra, socket: socket)
        let accepted =
            connection.isValid
            && shared.withLock { state -> Bool in
                guard !state.stopping, !state.stopped, state.started else { return false }
                state.adopted.append(connection)
                state.count += 1
                return true
            }
        guard accepted else {
            // Not registered with epoll: closing the handle is all there is to do.
            connection.teardown()
            return
        }
        signal()
        Task {
            await run(socket)
            socket.close(code: 1000, reason: "")
        }
    }

    /// Puts `socket` on the loop's work list (its outbox says it was not on it yet).
    func schedule(_ socket: WebSocket) {
        schedule(CollectionOfOne(socket))
    }

    /// Puts `sockets` on the loop's work list at once: at most one wake-up for all.
    func schedule(_ sockets: some Collection<WebSocket>) {
        guard !sockets.isEmpty else { return }
        let first = shared.withLock { state -> Bool in
            state.dirty.append(contentsOf: sockets)
            defer { state.signaled = true }
            return !state.signaled
        }
        if first { signal() }
    }

    /// Calls `body` on the I/O thread once every frame queued on any of this loop's sockets
    /// before this call has been handed to the kernel (or met a full send buffer, for a
    /// reader that is behind).
    func afterPendingWrites(_ body: @escaping @Sendable () -> Void) {
        let first = shared.withLock { state -> Bool in
            state.barriers.append(body)
            defer { state.signaled = true }
            return !state.signaled
        }
        if first { signal() }
    }

    /// Closes every WebSocket with 1001 (server going away); new ones are closed the same way.
    func goAway() {
        shared.withLock { $0.goingAway = true }
        signal()
    }

    /// Drops every connection still open and joins the I/O thread. Idempotent.
    func stop() {
        let join = shared.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping && state.started
        }
        guard join, let thread else { return }
        signal()
        pthread_join(thread, nil)
        self.thread = nil
    }

    private func signal() {
        var one: UInt64 = 1
        _ = write(wake, &one, 8)
    }

    // MARK: Loop thread

    private func run() {
        _ = sluice_set_thread_name("sluice-ws")
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        var nextTick = ContinuousClock.now + Self.tick
        var goneAway = false
        while true {
            let timeout: Int32 = connections.isEmpty ? -1 : 50
            let ready = events.withUnsafeMutableBufferPointer { buffer in
                epoll_wait(epoll, buffer.baseAddress, Int32(buffer.count), timeout)
            }
            let now = ContinuousClock.now
            // Consume the wake-up *before* taking the work it announced. Read after, it
            // could swallow the signal of work queued in between, which then waited for
            // the next timeout (50 ms stalls at p99 in the latency benchmark).
            for index in 0..<max(0, Int(ready)) where events[index].data.fd == wake {
                var value: UInt64 = 0
                _ = read(wake, &value, 8)
            }
            let (adopted, dirty, barriers, goingAway, stopping) = shared.withLock { state in
                defer {
                    state.adopted = []
                    state.dirty = []
                    state.barriers = []
                    state.signaled = false
                }
                return (state.adopted, state.dirty, state.barriers, state.goingAway, state.stopping)
            }
            if stopping { break }
            for connection in adopted {
                connections[connection.descriptor] = connection
                if goingAway { connection.goAway(now: now) }
                // Bytes that came with the request are consumed before the socket is polled.
                if connection.hasExtra { connection.readable(now: now) }
                update(connection)
            }
            if goingAway, !goneAway {
                goneAway = true
                for connection in connections.values { connection.goAway(now: now) }
            }
            for index in 0..<max(0, Int(ready)) {
                let event = events[index]
                let descriptor = event.data.fd
                if descriptor == wake { continue }
                guard let connection = connections[descriptor] else { continue }
                if event.events & (EPOLLIN.rawValue | EPOLLERR.rawValue | EPOLLHUP.rawValue) != 0 {
                    connection.readable(now: now)
                }
                if event.events & EPOLLOUT.rawValue != 0 { connection.writable(now: now) }
                update(connection)
            }
            for socket in dirty {
                guard let connection = connections[socket.descriptor], connection.socket === socket else { continue }
                connection.pump(now: now)
                update(connection)
            }
            // Frames queued before a barrier were taken by the pumps above (their sockets
            // were on `dirty` no later than the barrier, unless a `sendingTogether` still
            // held them: `WebSocket.afterQueuedFrames` says to call it after one).
            for barrier in barriers { barrier() }
            if now >= nextTick {
                nextTick = now + Self.tick
                for connection in Array(connections.values) where connection.tick(now: now) {
                    remove(connection)
                }
            }
        }
        for connection in connections.values { remove(connection) }
        // Adopted after the last turn: never registered, so closing the handle is enough.
        let late = shared.withLock { state in
            defer {
                state.adopted = []
                state.stopped = true
                state.count = 0
            }
            return state.adopted
        }
        for connection in late { connection.teardown() }
    }

    /// Re-registers the connection's epoll interest, or removes it once it is finished.
    private func update(_ connection: WebSocketConnection) {
        guard connections[connection.descriptor] === connection else { return }
        if connection.isDone {
            remove(connection)
            return
        }
        let wanted = connection.wantedEvents
        guard wanted != connection.interest else { return }
        var event = epoll_event()
        event.events = wanted
        event.data.fd = connection.descriptor
        let operation = connection.interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD
        _ = epoll_ctl(epoll, operation, connection.descriptor, &event)
        connection.interest = wanted
    }

    private func remove(_ connection: WebSocketConnection) {
        guard connections[connection.descriptor] === connection else { return }
        connections[connection.descriptor] = nil
        if connection.interest != 0 { _ = epoll_ctl(epoll, EPOLL_CTL_DEL, connection.descriptor, nil) }
        connection.teardown()
        shared.withLock { $0.count -= 1 }
    }
}

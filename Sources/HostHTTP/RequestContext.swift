internal import CMicroHTTPD
internal import Synchronization

/// One request's shared state: owned by libmicrohttpd's `*con_cls` (a retained pointer,
/// released once in the request-completed callback) and by the handler's task.
///
/// libmicrohttpd's threads call the `mhd…` methods from the access handler; the body reader
/// and the handler task call `nextChunk()` and `respond(_:)` from anywhere. Every transition
/// goes through `state`'s lock; `MHD_suspend_connection` runs under that lock so nobody can
/// see `suspended == true` before the connection really is suspended, and
/// `MHD_resume_connection` runs only for the transition that cleared `suspended`.
final class RequestContext: Sendable {
    private let state: Mutex<RequestState>
    // The connection is only dereferenced by libmicrohttpd. While a connection is
    // suspended libmicrohttpd cannot complete (free) it, and only the event that clears
    // `suspended` resumes it, so using this pointer to resume from another thread is safe.
    nonisolated(unsafe) private let connection: OpaquePointer
    // The connection's socket, for a reply written mid-body (see `RequestState`). It is
    // written only under `state`'s lock before `completed`: libmicrohttpd calls the
    // completed callback (which takes the lock) before it closes the socket.
    private let socket: Int32
    /// The handler's start, for a request whose whole body comes before it runs.
    private let pendingStart = Mutex<(@Sendable () -> Void)?>(nil)

    init(connection: OpaquePointer, socket: Int32, contentLength: Int?, expectsContinue: Bool) {
        self.connection = connection
        self.socket = socket
        state = Mutex(RequestState(contentLength: contentLength, expectsContinue: expectsContinue))
    }

    // MARK: libmicrohttpd's thread

    /// Keeps `start` until the body has ended (see `startIfWaiting`).
    func startWhenBodyEnds(_ start: @escaping @Sendable () -> Void) {
        pendingStart.withLock { $0 = start }
    }

    /// Starts the handler kept by `startWhenBodyEnds`, once.
    func startIfWaiting() {
        pendingStart.withLock { s in
            defer { s = nil }
            return s
        }?()
    }

    /// The headers call: holds (suspends) the connection until the handler reads or answers.
    func mhdHeaders(hold: Bool) -> MHD_Result {
        let connection = self.connection
        let action = state.withLock { state in
            let action = state.headers(hold: hold)
            if case .suspend = action { MHD_suspend_connection(connection) }
            return action
        }
        return perform(action, closeAfterReply: true)
    }

    /// Hands an upload chunk over (copying it); may suspend for backpressure or write an early reply.
    func mhdUpload(_ bytes: UnsafeRawBufferPointer, closeAfterReply: Bool) -> MHD_Result {
        let connection = self.connection
        let (action, wake) = state.withLock { state in
            let result = state.upload(bytes)
            if case .suspend = result.0 { MHD_suspend_connection(connection) }
            return result
        }
        wake?.run()
        return perform(action, closeAfterReply: closeAfterReply)
    }

    /// No upload data: the held headers call again, or the upload is complete (queue the
    /// reply if it is ready, otherwise suspend until it is).
    func mhdUploadEnded(closeAfterReply: Bool) -> MHD_Result {
        let connection = self.connection
        let (action, wake) = state.withLock { state in
            let result = state.uploadEnded()
            if case .suspend = result.0 { MHD_suspend_connection(connection) }
            return result
        }
        wake?.run()
        return perform(action, closeAfterReply: closeAfterReply)
    }

    private func perform(_ action: RequestState.MHDAction, closeAfterReply: Bool) -> MHD_Result {
        switch action {
        case .proceed, .suspend: return .YES
        case .close: return .NO
        case .queue(let response): return MHDResponse.queue(response, on: connection, close: closeAfterReply)
        case .write(let response): return DirectReply.send(response, on: socket) ? .YES : .NO
        }
    }

    /// libmicrohttpd is done with the request; `ok` is false when the connection died early.
    func mhdCompleted(ok: Bool) {
        state.withLock { $0.complete(ok: ok) }?.run()
    }

    // MARK: Other threads

    /// Next body chunk for `HTTPBody`; resumes a backpressured connection once drained.
    func nextChunk() async throws -> [UInt8]? {
        try await withCheckedThrowingContinuation { continuation in
            let (wake, resume) = state.withLock { $0.read(continuation) }
            if resume { MHD_resume_connection(connection) }
            wake?.run()
        }
    }

    /// Delivers the handler's reply: resumes the connection if it was waiting for it, or
    /// writes it on the socket when it comes mid-body (see `RequestState`).
    func respond(_ response: HTTPResponse) {
        let socket = self.socket
        let resume = state.withLock { state -> Bool in
            switch state.respond(response) {
            case .none: return false
            case .resume: return true
            case .write(let resume):
                // Under the lock, so libmicrohttpd cannot complete the request (and close
                // the socket) meanwhile. Reading the body goes on at MHD's thread.
                if !DirectReply.send(response, on: socket) { state.writeFailed() }
                return resume
            }
        }
        if resume { MHD_resume_connection(connection) }
    }

    /// Gives up on the request (server stopping): fails the reader and lets libmicrohttpd close it.
    /// Returns true when it resumed the connection (libmicrohttpd will now close it).
    @discardableResult
    func abort() -> Bool {
        let (resume, wake) = state.withLock { $0.abort() }
        if resume { MHD_resume_connection(connection) }
        wake?.run()
        return resume
    }
}

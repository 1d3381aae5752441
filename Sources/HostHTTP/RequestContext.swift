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

    init(connection: OpaquePointer, contentLength: Int?) {
        self.connection = connection
        state = Mutex(RequestState(contentLength: contentLength))
    }

    // MARK: libmicrohttpd's thread

    /// Hands an upload chunk over (copying it); may suspend for backpressure or queue an early reply.
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

    /// The upload is complete: queue the reply if it is ready, otherwise suspend until it is.
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

    /// Delivers the handler's reply; resumes the connection if it was waiting for it.
    func respond(_ response: HTTPResponse) {
        if state.withLock({ $0.respond(response) }) { MHD_resume_connection(connection) }
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

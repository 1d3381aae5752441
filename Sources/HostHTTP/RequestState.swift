/// The life of one request between libmicrohttpd's thread, the body reader and the handler.
///
/// A plain value mutated under the request's lock; each event returns what the I/O wrapper
/// must do after (resume the connection, wake the reader) or, for events on MHD's thread,
/// whether to suspend or queue. Keeping `suspended` here makes a double resume impossible:
/// only the event that flips it from true to false asks for `MHD_resume_connection`.
struct RequestState {
    /// Above this many buffered body bytes the connection is suspended (backpressure).
    static let highWater = 1 << 20
    /// The reader resumes a backpressured connection once the buffer falls to this.
    static let lowWater = 1 << 18
    /// libmicrohttpd 0.9.75 only queues a reply before the body or after all of it, so a
    /// reply that comes mid-body waits while the rest is read and discarded (the connection
    /// stays usable). Past this many body bytes (declared or received) the connection is
    /// closed instead, without a reply.
    static let discardLimit = 16 << 20

    /// The declared `Content-Length`, nil for chunked or absent.
    let contentLength: Int?

    init(contentLength: Int?) { self.contentLength = contentLength }

    /// What MHD's thread does after an upload event.
    enum MHDAction {
        /// Return `MHD_YES` and let libmicrohttpd carry on.
        case proceed
        /// Call `MHD_suspend_connection` (still under the lock) and return `MHD_YES`.
        case suspend
        /// Queue this reply and return `MHD_YES`.
        case queue(HTTPResponse)
        /// Return `MHD_NO`: libmicrohttpd closes the connection.
        case close
    }

    /// A reader to wake outside the lock, with what to hand it.
    struct Wake {
        var reader: CheckedContinuation<[UInt8]?, any Error>
        var result: Result<[UInt8]?, HTTPBodyError>
        func run() { reader.resume(with: result.mapError { $0 as any Error }) }
    }

    private(set) var suspended = false
    private(set) var bodyEnded = false
    private(set) var aborted = false
    private(set) var completed = false
    private(set) var queued = false
    private(set) var response: HTTPResponse?
    private var chunks: [[UInt8]] = []
    private var head = 0
    private(set) var buffered = 0
    private var received = 0
    private var reader: CheckedContinuation<[UInt8]?, any Error>?

    // MARK: Events on libmicrohttpd's thread (inside the access handler)

    /// A piece of the upload arrived.
    mutating func upload(_ bytes: UnsafeRawBufferPointer) -> (MHDAction, Wake?) {
        received += bytes.count
        if aborted { return (.close, nil) }
        if response != nil {
            // An early reply waits for the end of the body; drop what arrives meanwhile.
            return (max(contentLength ?? 0, received) > Self.discardLimit ? .close : .proceed, nil)
        }
        if let reader {
            self.reader = nil
            return (.proceed, Wake(reader: reader, result: .success(Array(bytes))))
        }
        chunks.append(Array(bytes))
        buffered += bytes.count
        if buffered > Self.highWater {
            suspended = true
            return (.suspend, nil)
        }
        return (.proceed, nil)
    }

    /// libmicrohttpd called with no more upload data: the body is complete.
    mutating func uploadEnded() -> (MHDAction, Wake?) {
        if aborted { return (.close, nil) }
        var wake: Wake?
        if !bodyEnded {
            bodyEnded = true
            if let reader {
                self.reader = nil
                wake = Wake(reader: reader, result: .success(nil))
            }
        }
        if queued { return (.proceed, wake) }
        if response != nil { return (takeResponse(), wake) }
        suspended = true  // nothing to send yet: wait for the handler
        return (.suspend, wake)
    }

    private mutating func takeResponse() -> MHDAction {
        guard let response else { return .proceed }
        queued = true
        self.response = nil
        return .queue(response)
    }

    // MARK: Events from other threads

    /// The body reader asks for the next chunk. Wakes it now when a chunk (or the end, or an
    /// error) is ready, otherwise parks it. `resume` is true when this read drained a
    /// backpressured connection, which the caller then resumes.
    mutating func read(_ continuation: CheckedContinuation<[UInt8]?, any Error>) -> (wake: Wake?, resume: Bool) {
        if head < chunks.count {
            let chunk = chunks[head]
            chunks[head] = []
            head += 1
            buffered -= chunk.count
            if head == chunks.count {
                chunks.removeAll(keepingCapacity: true)
                head = 0
            }
            return (Wake(reader: continuation, result: .success(chunk)), releaseBackpressure())
        }
        if bodyEnded { return (Wake(reader: continuation, result: .success(nil)), false) }
        if aborted || response != nil || queued {
            return (Wake(reader: continuation, result: .failure(.disconnected)), false)
        }
        if reader != nil { return (Wake(reader: continuation, result: .failure(.concurrentRead)), false) }
        reader = continuation
        return (nil, releaseBackpressure())
    }

    private mutating func releaseBackpressure() -> Bool {
        guard suspended, !bodyEnded, response == nil, buffered <= Self.lowWater else { return false }
        suspended = false
        return true
    }

    /// The handler returned. Returns true when the connection must be resumed to send it.
    mutating func respond(_ reply: HTTPResponse) -> Bool {
        guard !completed, !aborted, response == nil, !queued else { return false }
        response = reply
        chunks = []
        head = 0
        buffered = 0
        guard suspended else { return false }
        suspended = false
        return true
    }

    /// libmicrohttpd finished the request (sent, or the connection died). After this the
    /// connection pointer is dead.
    mutating func complete(ok: Bool) -> Wake? {
        completed = true
        if !ok || !bodyEnded { aborted = true }
        return failReader()
    }

    /// The server is stopping and will not wait for this request any more. Returns true
    /// when the connection must be resumed so libmicrohttpd can close it.
    mutating func abort() -> (resume: Bool, wake: Wake?) {
        // A reply that is ready or queued goes out; it is already on its way.
        guard !completed, response == nil, !queued else { return (false, nil) }
        aborted = true
        let wake = failReader()
        guard suspended else { return (false, wake) }
        suspended = false
        return (true, wake)
    }

    private mutating func failReader() -> Wake? {
        chunks = []
        head = 0
        buffered = 0
        guard let reader, !bodyEnded else { return nil }
        self.reader = nil
        return Wake(reader: reader, result: .failure(.disconnected))
    }
}

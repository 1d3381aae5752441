/// The life of one request between libmicrohttpd's thread, the body reader and the handler.
///
/// A plain value mutated under the request's lock; each event returns what the I/O wrapper
/// must do after (resume the connection, wake the reader, write a reply) or, for events on
/// MHD's thread, whether to suspend or queue. Keeping `suspended` here makes a double
/// suspend or resume impossible: only the event that flips it asks libmicrohttpd to act.
///
/// libmicrohttpd 0.9.75 accepts a reply (`MHD_queue_response`) only on the headers call
/// (then it closes the connection after sending) or once the whole body is read; never
/// mid-body. So a request that may carry a large body (chunked, or `Content-Length` over
/// `drainLimit`) is *held*: the connection is suspended on the headers call until the
/// handler either reads the body (resume, MHD reads it) or answers. A reply that comes
/// before the body ends waits only for a small rest of it (`drainLimit`, the connection
/// stays usable). Otherwise it goes out at once: written straight to the socket with
/// `Connection: close` (`DirectReply`), then the rest of the body is read and dropped
/// (up to `lingerLimit`) before the connection closes, so a client still sending reads
/// the reply instead of a reset. A held client that sent `Expect: 100-continue` has sent
/// no body: its reply is queued early instead, and libmicrohttpd closes after it.
/// A request that is not held starts its handler only once its body has ended
/// (`MHDDaemon`), so its reply never comes mid-body.
struct RequestState {
    /// Above this many buffered body bytes the connection is suspended (backpressure).
    static let highWater = 1 << 20
    /// The reader resumes a backpressured connection once the buffer falls to this.
    static let lowWater = 1 << 18
    /// A reply ready with at most this many body bytes still to come waits for them (the
    /// connection stays alive); requests declaring more, or chunked, are held at the headers.
    static let drainLimit = 64 << 10
    /// After a reply written mid-body, at most this many more body bytes are read and
    /// dropped before the connection is closed.
    static let lingerLimit = 16 << 20

    /// The declared `Content-Length`, nil for chunked or absent.
    let contentLength: Int?
    /// The client sent `Expect: 100-continue`: it waits before sending the body, and
    /// libmicrohttpd writes `100 Continue` once past the headers.
    let expectsContinue: Bool

    init(contentLength: Int?, expectsContinue: Bool = false) {
        self.contentLength = contentLength
        self.expectsContinue = expectsContinue
    }

    /// Whether a request is held at its headers until the handler reads or answers.
    static func holdsHeaders(contentLength: Int?, chunked: Bool) -> Bool {
        chunked || (contentLength ?? 0) > drainLimit
    }

    /// What MHD's thread does after an event.
    enum MHDAction {
        /// Return `MHD_YES` and let libmicrohttpd carry on.
        case proceed
        /// Call `MHD_suspend_connection` (still under the lock) and return `MHD_YES`.
        case suspend
        /// Queue this reply and return `MHD_YES`.
        case queue(HTTPResponse)
        /// Write this reply on the socket (`Connection: close`), then return `MHD_YES` to
        /// keep reading and dropping the body; `MHD_NO` if the write failed.
        case write(HTTPResponse)
        /// Return `MHD_NO`: libmicrohttpd closes the connection.
        case close
    }

    /// What the handler's thread does with its reply.
    enum Delivery: Equatable {
        /// Nothing: the reply is stored (MHD's thread queues it) or dropped (too late).
        case none
        /// Resume the connection; MHD's thread then queues the stored reply.
        case resume
        /// Write the reply on the socket now (under the lock), then resume if `resume`.
        case write(resume: Bool)
    }

    /// A reader to wake outside the lock, with what to hand it.
    struct Wake {
        var reader: CheckedContinuation<[UInt8]?, any Error>
        var result: Result<[UInt8]?, HTTPBodyError>
        func run() { reader.resume(with: result.mapError { $0 as any Error }) }
    }

    /// Suspended on the headers call; the next call without upload data is that call again.
    private(set) var holding = false
    private(set) var suspended = false
    private(set) var bodyEnded = false
    private(set) var aborted = false
    private(set) var completed = false
    private(set) var queued = false
    /// The reply went straight to the socket; the rest of the body is dropped.
    private(set) var written = false
    private(set) var response: HTTPResponse?
    private var chunks: [[UInt8]] = []
    private var head = 0
    private(set) var buffered = 0
    private var received = 0
    private var dropped = 0
    private var reader: CheckedContinuation<[UInt8]?, any Error>?

    // MARK: Events on libmicrohttpd's thread (inside the access handler)

    /// The headers call. `hold` comes from `holdsHeaders(contentLength:chunked:)`.
    mutating func headers(hold: Bool) -> MHDAction {
        if aborted { return .close }
        if response != nil { return takeResponse() }
        guard hold, reader == nil else { return .proceed }
        holding = true
        suspended = true
        return .suspend
    }

    /// A piece of the upload arrived. libmicrohttpd may call this again in the same loop
    /// after a suspend, so a suspended connection only buffers (never suspends twice).
    mutating func upload(_ bytes: UnsafeRawBufferPointer) -> (MHDAction, Wake?) {
        received += bytes.count
        if aborted { return (.close, nil) }
        if written {
            dropped += bytes.count
            return (dropped > Self.lingerLimit ? .close : .proceed, nil)
        }
        if let response {
            // A reply waits only for a small rest; otherwise it goes out now.
            if restIsSmall { return (.proceed, nil) }
            self.response = nil
            written = true
            return (.write(response), nil)
        }
        if let reader {
            self.reader = nil
            return (.proceed, Wake(reader: reader, result: .success(Array(bytes))))
        }
        chunks.append(Array(bytes))
        buffered += bytes.count
        if buffered > Self.highWater, !suspended {
            suspended = true
            return (.suspend, nil)
        }
        return (.proceed, nil)
    }

    /// libmicrohttpd called with no upload data: the held headers call again (after a
    /// resume), or the body is complete.
    mutating func uploadEnded() -> (MHDAction, Wake?) {
        if holding {
            holding = false
            if aborted { return (.close, nil) }
            // Written already: go on reading the body, to drop it.
            return (response != nil ? takeResponse() : .proceed, nil)
        }
        if aborted || written { return (.close, nil) }
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
        if suspended { return (.proceed, wake) }
        suspended = true  // nothing to send yet: wait for the handler
        return (.suspend, wake)
    }

    private var restIsSmall: Bool {
        guard let contentLength else { return false }
        return contentLength - received <= Self.drainLimit
    }

    private mutating func takeResponse() -> MHDAction {
        guard let response else { return .proceed }
        queued = true
        self.response = nil
        return .queue(response)
    }

    // MARK: Events from other threads

    /// The body reader asks for the next chunk. Wakes it now when a chunk (or the end, or an
    /// error) is ready, otherwise parks it. `resume` is true when this read releases a held
    /// or backpressured connection, which the caller then resumes.
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
        if aborted || completed || response != nil || queued || written {
            return (Wake(reader: continuation, result: .failure(.disconnected)), false)
        }
        if reader != nil { return (Wake(reader: continuation, result: .failure(.concurrentRead)), false) }
        reader = continuation
        if holding, suspended {
            // The handler wants the body: let libmicrohttpd go past the headers.
            suspended = false
            return (nil, true)
        }
        return (nil, releaseBackpressure())
    }

    private mutating func releaseBackpressure() -> Bool {
        guard suspended, !holding, !completed, !bodyEnded, response == nil, buffered <= Self.lowWater else {
            return false
        }
        suspended = false
        return true
    }

    /// The handler returned its reply.
    mutating func respond(_ reply: HTTPResponse) -> Delivery {
        guard !completed, !aborted, response == nil, !queued, !written else { return .none }
        chunks = []
        head = 0
        buffered = 0
        let resume = suspended
        suspended = false
        // Queued by MHD's thread: at the held headers call (`Expect: 100-continue`), at the
        // end of the body, after a small rest, or, when libmicrohttpd is past the headers
        // but nothing was read yet (it may still be writing `100 Continue`), written by the
        // first upload call.
        let waits = holding ? expectsContinue : (bodyEnded || restIsSmall || received == 0)
        if waits {
            response = reply
            return resume ? .resume : .none
        }
        written = true
        return .write(resume: resume)
    }

    /// Writing the reply on the socket failed: close the connection at the next event.
    mutating func writeFailed() { aborted = true }

    /// libmicrohttpd finished the request (sent, or the connection died). After this the
    /// connection pointer is dead (or belongs to the next request on it).
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

import Synchronization
import Testing

@testable import HostHTTP

@Suite("Request state machine")
struct HTTPRequestStateTests {
    private func upload(_ state: inout RequestState, _ count: Int) -> RequestState.MHDAction {
        let bytes = [UInt8](repeating: 1, count: count)
        return bytes.withUnsafeBytes { state.upload($0).0 }
    }

    @Test func suspendsPastTheHighWaterMark() {
        var state = RequestState(contentLength: nil)
        guard case .proceed = upload(&state, RequestState.highWater) else {
            Issue.record("should buffer")
            return
        }
        guard case .suspend = upload(&state, 1) else {
            Issue.record("should suspend")
            return
        }
        #expect(state.suspended)
    }

    @Test func responseResumesOnlyOnce() {
        var state = RequestState(contentLength: nil)
        guard case .suspend = state.uploadEnded().0 else {
            Issue.record("should wait for the handler")
            return
        }
        let first = state.respond(.json(200, "{}"))
        let second = state.respond(.json(500, "{}"))
        let aborted = state.abort().resume
        #expect(first == .resume && second == .none && !aborted)
        guard case .queue(let response) = state.uploadEnded().0 else {
            Issue.record("should queue")
            return
        }
        #expect(response.status == 200)
    }

    @Test func earlyReplyDrainsASmallRestThenQueuesAtTheEnd() {
        var state = RequestState(contentLength: 10)
        #expect(state.respond(.json(413, "{}")) == .none)
        guard case .proceed = upload(&state, 10) else {
            Issue.record("should discard")
            return
        }
        #expect(state.buffered == 0)
        guard case .queue = state.uploadEnded().0 else {
            Issue.record("should queue")
            return
        }
    }

    @Test(arguments: [nil, RequestState.drainLimit + 1] as [Int?])
    func largeOrChunkedBodiesAreHeldAtTheHeaders(_ length: Int?) {
        #expect(RequestState.holdsHeaders(contentLength: length, chunked: length == nil))
        #expect(!RequestState.holdsHeaders(contentLength: RequestState.drainLimit, chunked: false))
        #expect(!RequestState.holdsHeaders(contentLength: nil, chunked: false))
    }

    @Test func aReplyToAHeldRequestIsWrittenThenTheBodyDropped() {
        var state = RequestState(contentLength: 50 << 20)
        _ = state.headers(hold: true)
        #expect(state.respond(.json(413, "{}")) == .write(resume: true))
        guard case .proceed = state.uploadEnded().0 else {
            Issue.record("the headers call again should go on to drop the body")
            return
        }
        guard case .proceed = upload(&state, 1 << 20) else {
            Issue.record("should drop")
            return
        }
        #expect(state.buffered == 0)
        guard case .close = state.uploadEnded().0 else {
            Issue.record("should close at the end")
            return
        }
    }

    @Test func aReplyToAHeldRequestThatExpectsContinueIsQueuedEarly() {
        var state = RequestState(contentLength: 50 << 20, expectsContinue: true)
        guard case .suspend = state.headers(hold: true) else {
            Issue.record("should hold")
            return
        }
        #expect(state.respond(.json(413, "{}")) == .resume)
        #expect(state.abort().resume == false)
        // The headers call again, after the resume: libmicrohttpd takes an early reply here.
        guard case .queue(let reply) = state.uploadEnded().0 else {
            Issue.record("should queue early")
            return
        }
        #expect(reply.status == 413)
    }

    @Test func readingAHeldRequestResumesOnceThenStreams() async throws {
        let state = Mutex(RequestState(contentLength: nil))
        _ = state.withLock { $0.headers(hold: true) }
        let resumes = Mutex(0)
        let reading = Task {
            try await withCheckedThrowingContinuation { continuation in
                let (wake, resume) = state.withLock { $0.read(continuation) }
                if resume { resumes.withLock { $0 += 1 } }
                wake?.run()
            }
        }
        while state.withLock({ $0.suspended }) { await Task.yield() }
        guard case .proceed = state.withLock({ $0.uploadEnded().0 }) else {
            Issue.record("the headers call again should proceed")
            return
        }
        let (action, wake) = state.withLock { state in
            [UInt8]("abc".utf8).withUnsafeBytes { state.upload($0) }
        }
        guard case .proceed = action else {
            Issue.record("should hand over")
            return
        }
        wake?.run()
        #expect(try await reading.value == Array("abc".utf8))
        #expect(resumes.withLock { $0 } == 1)
    }

    @Test func aSuspendedConnectionIsNeverSuspendedTwice() {
        // libmicrohttpd keeps calling in the same loop after a suspend (chunked bodies).
        var state = RequestState(contentLength: nil)
        guard case .suspend = upload(&state, RequestState.highWater + 1) else {
            Issue.record("should suspend")
            return
        }
        for _ in 0..<3 {
            guard case .proceed = upload(&state, 4096) else {
                Issue.record("must not suspend again")
                return
            }
        }
        #expect(state.suspended)
    }

    @Test func aReplyMidBodyIsWrittenThenTheRestIsDropped() {
        var state = RequestState(contentLength: nil)
        _ = upload(&state, RequestState.highWater + 1)
        #expect(state.respond(.json(413, "{}")) == .write(resume: true))
        #expect(state.respond(.json(500, "{}")) == .none)
        var total = 0
        while total + (1 << 20) <= RequestState.lingerLimit {
            guard case .proceed = upload(&state, 1 << 20) else {
                Issue.record("should drop")
                return
            }
            total += 1 << 20
        }
        guard case .close = upload(&state, 1) else {
            Issue.record("should close past the linger limit")
            return
        }
        #expect(state.abort().resume == false)
    }

    @Test func aReplyBeforeAnyBodyByteIsWrittenByTheFirstUploadCall() {
        // Past the headers (libmicrohttpd may be writing `100 Continue`), nothing read yet.
        var state = RequestState(contentLength: 50 << 20, expectsContinue: true)
        _ = state.headers(hold: false)
        #expect(state.respond(.json(400, "{}")) == .none)
        guard case .write(let reply) = upload(&state, 10) else {
            Issue.record("should write")
            return
        }
        #expect(reply.status == 400)
        guard case .close = state.uploadEnded().0 else {
            Issue.record("a written reply ends with a close")
            return
        }
    }

    @Test func completionForbidsAnyLaterResume() {
        var state = RequestState(contentLength: nil)
        _ = upload(&state, RequestState.highWater + 1)
        _ = state.complete(ok: false)
        #expect(state.respond(.json(200, "{}")) == .none)
        #expect(state.abort().resume == false)
    }

    @Test func abortResumesASuspendedConnection() {
        var state = RequestState(contentLength: nil)
        _ = state.uploadEnded()
        let first = state.abort().resume
        let second = state.abort().resume
        #expect(first && !second)
        guard case .close = state.uploadEnded().0 else {
            Issue.record("should close")
            return
        }
    }
}

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
        #expect(first && !second && !aborted)
        guard case .queue(let response) = state.uploadEnded().0 else {
            Issue.record("should queue")
            return
        }
        #expect(response.status == 200)
    }

    @Test func earlyReplyDiscardsThenQueuesAtTheEnd() {
        var state = RequestState(contentLength: 10)
        let resumed = state.respond(.json(413, "{}"))
        #expect(!resumed)
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

    @Test func earlyReplyToAHugeBodyCloses() {
        var state = RequestState(contentLength: RequestState.discardLimit + 1)
        _ = state.respond(.json(413, "{}"))
        guard case .close = upload(&state, 1) else {
            Issue.record("should close")
            return
        }
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

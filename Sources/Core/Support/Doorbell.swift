import Synchronization

/// Wakes one waiting task: a ring while nobody waits is remembered (once), a wait ends
/// at the first ring or after a timeout, and cancellation always ends a wait.
///
/// The continuation is resumed through lock-guarded state, so a ring, a timeout and
/// a cancellation racing each other resume it exactly once.
package final class Doorbell: Sendable {
    private enum State {
        case idle
        case rung
        case waiting(CheckedContinuation<Void, Never>)
    }

    private let state = Mutex(State.idle)

    package init() {}

    package func ring() {
        let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
            switch s {
            case .waiting(let c):
                s = .idle
                return c
            case .idle, .rung:
                s = .rung
                return nil
            }
        }
        waiter?.resume()
    }

    /// Returns at the next ring (or at once if one is pending), after `timeout`, or when
    /// the task is cancelled.
    package func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForRing() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForRing() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { s -> Bool in
                    switch s {
                    case .rung:
                        s = .idle
                        return true
                    case .idle:
                        if Task.isCancelled { return true }
                        s = .waiting(c)
                        return false
                    case .waiting(let old):
                        // One waiter at a time; the older one just wakes.
                        old.resume()
                        if Task.isCancelled {
                            s = .idle
                            return true
                        }
                        s = .waiting(c)
                        return false
                    }
                }
                if resumeNow { c.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { s -> CheckedContinuation<Void, Never>? in
                if case .waiting(let c) = s {
                    s = .idle
                    return c
                }
                return nil
            }
            waiter?.resume()
        }
    }
}

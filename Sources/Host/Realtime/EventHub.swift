import Core
import Foundation
import HostHTTP
import Synchronization

/// Delivers each tenant's stored events to that tenant's sockets only, in `seq` order,
/// exactly once per socket — including across a reconnect with `since`.
///
/// The store is the source of truth. Events this process commits are handed over by the
/// store right after the commit and fanned out at once, on the committing thread, when
/// they follow what the tenant's sockets already have; anything else (events another
/// process wrote, such as a command-line import, or a gap) is read back from the store,
/// on a doorbell or every `pollInterval`. A socket joining with `since` first replays
/// from the store while live events for it are held back, then drains what was held,
/// skipping any `seq` it already sent: no gap, no duplicate.
///
/// Every fan-out of a tenant happens under one lock, so two paths can never interleave
/// their frames on a socket. When the frames are on the wire, the hub records the
/// broadcast time: a histogram in `/metrics` and `events.broadcast_at` (written in one
/// small transaction a second).
///
/// A service: `run()` loops until cancelled. Thread-safe.
final class EventHub: Sendable {
    private let store: any EventStore
    private let metrics: Metrics?
    private let pollInterval: Duration
    private let doorbell = Doorbell()
    private let tenants = Mutex<[String: TenantState]>([:])
    /// Broadcast times not yet written to the store.
    private let stamps = Mutex<[BroadcastStamp]>([])

    private struct TenantState {
        var subscribers: [ObjectIdentifier: Subscriber] = [:]
        /// Highest seq the hub has fanned out for this tenant.
        var published: Int64
    }

    init(store: any EventStore, metrics: Metrics? = nil, pollInterval: Duration = .milliseconds(250)) {
        self.store = store
        self.metrics = metrics
        self.pollInterval = pollInterval
    }

    /// Events this process just committed (called on the store's writer thread; short).
    func committed(_ events: [CommittedEvent]) {
        var byTenant: [String: [StoredEvent]] = [:]
        for c in events { byTenant[c.tenantId, default: []].append(c.event) }
        var gap = false
        for (tenantId, list) in byTenant where !publish(tenantId: tenantId, list) {
            gap = true
        }
        if gap { doorbell.ring() }
    }

    func run() async {
        var nextStampFlush = ContinuousClock.now + .seconds(1)
        while !Task.isCancelled {
            await doorbell.wait(timeout: pollInterval)
            await refresh()
            if ContinuousClock.now >= nextStampFlush {
                nextStampFlush = ContinuousClock.now + .seconds(1)
                await flushStamps()
            }
        }
        await flushStamps()
    }

    /// Reads what each watched tenant committed since its last fan-out and delivers it.
    func refresh() async {
        let watched = tenants.withLock { t in t.map { ($0.key, $0.value.published) } }
        for (tenantId, published) in watched {
            var after = published
            while let events = try? await store.events(tenantId: tenantId, after: after, limit: 500), !events.isEmpty {
                _ = publish(tenantId: tenantId, events)
                after = events[events.count - 1].seq
                if events.count < 500 { break }
            }
        }
    }

    /// Fans `events` (rising seqs) out to the tenant's sockets: the ones after what was
    /// published, if they follow it without a gap. Returns false on a gap (the store
    /// must be read).
    @discardableResult
    private func publish(tenantId: String, _ events: [StoredEvent]) -> Bool {
        let now = Date()
        let (delivered, socket, ok) = tenants.withLock { t -> ([StoredEvent], WebSocket?, Bool) in
            guard var state = t[tenantId] else { return ([], nil, true) }
            let fresh = events.drop { $0.seq <= state.published }
            guard let first = fresh.first else { return ([], nil, true) }
            guard first.seq == state.published + 1 else { return ([], nil, false) }
            state.published = fresh[fresh.endIndex - 1].seq
            t[tenantId] = state
            let frames = fresh.map { EventFrame(seq: $0.seq, text: EventFrame.text($0, now: now)) }
            WebSocket.sendingTogether {
                for s in state.subscribers.values { s.deliver(frames) }
            }
            return (Array(fresh), state.subscribers.values.first?.socket, true)
        }
        if let socket, let first = delivered.first, let last = delivered.last {
            let received = delivered.filter { $0.type == "new_lead_notification" }.map(\.receivedAt)
            let seqs = first.seq...last.seq
            socket.afterQueuedFrames { [self] in
                let at = Date()
                metrics?.broadcast(receivedAt: received, at: at)
                stamps.withLock { $0.append(BroadcastStamp(tenantId: tenantId, seqs: seqs, at: at)) }
            }
        }
        return ok
    }

    private func flushStamps() async {
        let pending = stamps.withLock { s in
            defer { s.removeAll() }
            return s
        }
        guard !pending.isEmpty else { return }
        do {
            try await store.stampBroadcast(pending)
        } catch {
            Log.error("could not store broadcast times", ["error": "\(type(of: error))"])
        }
    }

    /// Attaches a socket of `tenantId`. With `since`, replays stored events after it
    /// first; a `since` older than what is kept closes the socket with 4410.
    func attach(_ socket: WebSocket, tenantId: String, since: Int64?) async {
        let latest = (try? await store.latestSeq(tenantId: tenantId)) ?? 0
        // A `since` ahead of the store (another database, a stale tab) starts at the newest.
        let start = min(since ?? latest, latest)
        if let since, since < latest {
            let oldest = (try? await store.events(tenantId: tenantId, after: since, limit: 1).first?.seq) ?? nil
            if oldest != since + 1 {
                socket.close(code: 4410, reason: "since is older than the events kept; reload the list")
                return
            }
        }
        let subscriber = Subscriber(socket: socket, lastSent: start, catchingUp: since != nil)
        let id = ObjectIdentifier(subscriber)
        let behind = tenants.withLock { t -> Bool in
            var state = t[tenantId] ?? TenantState(published: latest)
            state.subscribers[id] = subscriber
            t[tenantId] = state
            return state.published < latest
        }
        // Events committed between reading `latest` and joining are read back now.
        if behind { doorbell.ring() }
        if since != nil {
            // Replay from the store; live events meanwhile wait in the subscriber.
            var after = start
            while let events = try? await store.events(tenantId: tenantId, after: after, limit: 500), !events.isEmpty {
                let now = Date()
                subscriber.replay(events.map { EventFrame(seq: $0.seq, text: EventFrame.text($0, now: now)) })
                after = events[events.count - 1].seq
                if events.count < 500 { break }
            }
            subscriber.goLive()
        }
        _ = await socket.closed()
        tenants.withLock { t in
            t[tenantId]?.subscribers[id] = nil
            if t[tenantId]?.subscribers.isEmpty == true { t[tenantId] = nil }
        }
    }

    /// Sockets attached now (for metrics).
    var socketCount: Int { tenants.withLock { $0.values.reduce(0) { $0 + $1.subscribers.count } } }
}

/// One socket's position in its tenant's event stream.
final class Subscriber: Sendable {
    let socket: WebSocket
    private struct State {
        var lastSent: Int64
        var catchingUp: Bool
        var held: [EventFrame] = []
    }
    private let state: Mutex<State>

    init(socket: WebSocket, lastSent: Int64, catchingUp: Bool) {
        self.socket = socket
        self.state = Mutex(State(lastSent: lastSent, catchingUp: catchingUp))
    }

    /// Live frames: held while catching up, else sent unless already sent.
    func deliver(_ frames: [EventFrame]) {
        state.withLock { s in
            if s.catchingUp {
                s.held += frames
                return
            }
            send(frames, &s)
        }
    }

    /// Replayed frames from the store, in order.
    func replay(_ frames: [EventFrame]) {
        state.withLock { s in send(frames, &s) }
    }

    /// Sends what was held during the replay (skipping what the replay sent) and goes live.
    func goLive() {
        state.withLock { s in
            send(s.held, &s)
            s.held = []
            s.catchingUp = false
        }
    }

    private func send(_ frames: [EventFrame], _ s: inout State) {
        for f in frames where f.seq > s.lastSent {
            s.lastSent = f.seq
            socket.send(text: f.text)
        }
    }
}

/// One event's frame, built once and shared by every socket it goes to.
struct EventFrame: Sendable {
    var seq: Int64
    var text: String

    /// `{"type","seq","data"}`; `new_lead_notification` data gains `processMs`
    /// (received → broadcast: `now` for a live event, the stored broadcast time on replay).
    static func text(_ e: StoredEvent, now: Date) -> String {
        var data = e.payload
        if e.type == "new_lead_notification", data.hasSuffix("}") {
            let sent = e.broadcastAt ?? now
            let ms = (sent.timeIntervalSince(e.receivedAt) * 1000 * 100).rounded() / 100
            data.removeLast()
            data += ",\"processMs\":" + JSONValue.format(max(0, ms)) + "}"
        }
        return "{\"type\":\"\(e.type)\",\"seq\":\(e.seq),\"data\":\(data)}"
    }
}

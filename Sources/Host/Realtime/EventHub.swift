import Core
import Foundation
import HostHTTP
import Synchronization

/// Delivers each tenant's stored events to that tenant's sockets only, in `seq` order,
/// exactly once per socket — including across a reconnect with `since`.
///
/// The store is the source of truth: the hub reads committed events from it (woken
/// right after this process commits, and every `pollInterval` for events other
/// processes wrote, such as a command-line import) and fans them out. A socket joining
/// with `since` first replays from the store while live events for it are held back,
/// then drains what was held, skipping any `seq` it already sent: no gap, no duplicate.
///
/// A service: `run()` loops until cancelled. Thread-safe.
final class EventHub: Sendable {
    private let store: SQLiteStore
    private let pollInterval: Duration
    private let doorbell = Doorbell()
    private let tenants = Mutex<[String: TenantState]>([:])

    private struct TenantState {
        var subscribers: [ObjectIdentifier: Subscriber] = [:]
        /// Highest seq the hub has fanned out for this tenant.
        var published: Int64
    }

    init(store: SQLiteStore, pollInterval: Duration = .milliseconds(250)) {
        self.store = store
        self.pollInterval = pollInterval
    }

    /// Wakes the hub: new events were committed by this process.
    func committed() { doorbell.ring() }

    func run() async {
        while !Task.isCancelled {
            await doorbell.wait(timeout: pollInterval)
            await refresh()
        }
    }

    /// Reads what each watched tenant committed since its last fan-out and delivers it.
    func refresh() async {
        let watched = tenants.withLock { t in t.map { ($0.key, $0.value.published) } }
        for (tenantId, published) in watched {
            var after = published
            while let events = try? await store.events(tenantId: tenantId, after: after, limit: 500), !events.isEmpty {
                let subscribers = tenants.withLock { t -> [Subscriber] in
                    guard var state = t[tenantId], state.published == after else { return [] }
                    state.published = events[events.count - 1].seq
                    t[tenantId] = state
                    return Array(state.subscribers.values)
                }
                for s in subscribers { s.deliver(events) }
                after = events[events.count - 1].seq
                if events.count < 500 { break }
            }
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
        tenants.withLock { t in
            var state = t[tenantId] ?? TenantState(published: latest)
            state.subscribers[id] = subscriber
            t[tenantId] = state
        }
        if since != nil {
            // Replay from the store; live events meanwhile wait in the subscriber.
            var after = start
            while let events = try? await store.events(tenantId: tenantId, after: after, limit: 500), !events.isEmpty {
                subscriber.replay(events)
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
        var held: [StoredEvent] = []
    }
    private let state: Mutex<State>

    init(socket: WebSocket, lastSent: Int64, catchingUp: Bool) {
        self.socket = socket
        self.state = Mutex(State(lastSent: lastSent, catchingUp: catchingUp))
    }

    /// Live events: held while catching up, else sent unless already sent.
    func deliver(_ events: [StoredEvent]) {
        state.withLock { s in
            if s.catchingUp {
                s.held += events
                return
            }
            for e in events where e.seq > s.lastSent {
                s.lastSent = e.seq
                socket.send(text: EventFrame.text(e))
            }
        }
    }

    /// Replayed events from the store, in order.
    func replay(_ events: [StoredEvent]) {
        state.withLock { s in
            for e in events where e.seq > s.lastSent {
                s.lastSent = e.seq
                socket.send(text: EventFrame.text(e))
            }
        }
    }

    /// Sends what was held during the replay (skipping what the replay sent) and goes live.
    func goLive() {
        state.withLock { s in
            for e in s.held where e.seq > s.lastSent {
                s.lastSent = e.seq
                socket.send(text: EventFrame.text(e))
            }
            s.held = []
            s.catchingUp = false
        }
    }
}

/// The text of an event frame: `{"type","seq","data"}`; `new_lead_notification` data
/// gains `processMs` (received → now).
enum EventFrame {
    static func text(_ e: StoredEvent) -> String {
        var data = e.payload
        if e.type == "new_lead_notification", data.hasSuffix("}") {
            let ms = (Date().timeIntervalSince(e.receivedAt) * 1000 * 100).rounded() / 100
            data.removeLast()
            data += ",\"processMs\":" + JSONValue.format(max(0, ms)) + "}"
        }
        return "{\"type\":\"\(e.type)\",\"seq\":\(e.seq),\"data\":\(data)}"
    }
}

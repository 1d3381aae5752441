public import Foundation

/// Where each tenant's events live, in `seq` order: what the host's event hub reads,
/// replays and stamps.
///
/// Events are appended in the transaction of the change they report (the ingest and
/// enrichment paths of the store do that), so an event exists exactly when its change is
/// durable. The store tells its commit observer about events this process committed; a
/// store shared by several hosts (PostgreSQL) also wakes the hub for events other hosts
/// committed (LISTEN/NOTIFY), and the hub reads those with ``events(tenantId:after:limit:)``.
public protocol EventStore: Sendable {
    /// The tenant's newest event `seq` (0 before the first).
    func latestSeq(tenantId: String) async throws -> Int64
    /// The tenant's events after `seq`, oldest first, at most `limit`.
    func events(tenantId: String, after seq: Int64, limit: Int) async throws -> [StoredEvent]
    /// Stores one event in its own transaction; returns its seq.
    @discardableResult
    func appendEvent(tenantId: String, type: String, payload: String) async throws -> Int64
    /// Records when events were first written to sockets.
    func stampBroadcast(_ stamps: [BroadcastStamp]) async throws
    /// Deletes events committed before `cutoff`, keeping each tenant's newest.
    func purgeEvents(before cutoff: Date) async throws -> Int
    /// Called after every commit of this process that stored events, with those events
    /// in commit order. Set once at start-up; keep it short.
    func observeCommittedEvents(_ observer: @escaping @Sendable ([CommittedEvent]) -> Void)
}

/// A stored event of one tenant (what its sockets receive).
public struct StoredEvent: Sendable, Hashable {
    public var seq: Int64
    public var type: String
    /// The event's `data` member, JSON text.
    public var payload: String
    public var receivedAt: Date
    public var committedAt: Date?
    /// When the host first wrote the event to its tenant's sockets (nil: not yet, or no
    /// socket was open).
    public var broadcastAt: Date?

    public init(
        seq: Int64, type: String, payload: String, receivedAt: Date, committedAt: Date?, broadcastAt: Date? = nil
    ) {
        self.seq = seq
        self.type = type
        self.payload = payload
        self.receivedAt = receivedAt
        self.committedAt = committedAt
        self.broadcastAt = broadcastAt
    }
}

/// An event as its transaction committed it, with its tenant: what the store hands its
/// commit observer.
public struct CommittedEvent: Sendable, Hashable {
    public var tenantId: String
    public var event: StoredEvent

    public init(tenantId: String, event: StoredEvent) {
        self.tenantId = tenantId
        self.event = event
    }
}

/// The moment a run of one tenant's events was first written to its sockets.
public struct BroadcastStamp: Sendable, Hashable {
    public var tenantId: String
    public var seqs: ClosedRange<Int64>
    public var at: Date

    public init(tenantId: String, seqs: ClosedRange<Int64>, at: Date) {
        self.tenantId = tenantId
        self.seqs = seqs
        self.at = at
    }
}

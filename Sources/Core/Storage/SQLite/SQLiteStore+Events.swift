public import Foundation

extension SQLiteStore: EventStore {
    /// The tenant's newest event `seq` (0 before the first), for `latestSeq`.
    public func latestSeq(tenantId: String) async throws -> Int64 {
        try await read { db in
            try db.prepare("SELECT max(seq) FROM events WHERE tenant_id = ?").bind(1, tenantId).oneInt() ?? 0
        }
    }

    /// The tenant's events after `seq`, oldest first, at most `limit`.
    public func events(tenantId: String, after seq: Int64, limit: Int) async throws -> [StoredEvent] {
        try await read { db in
            let s = try db.prepare(
                """
                SELECT seq, type, payload, received_at, committed_at, broadcast_at FROM events
                WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?
                """)
            s.bind(1, tenantId).bind(2, seq).bind(3, limit)
            defer { s.reset() }
            var out: [StoredEvent] = []
            while try s.step() {
                out.append(
                    StoredEvent(
                        seq: s.int(0), type: s.text(1) ?? "", payload: s.text(2) ?? "{}",
                        receivedAt: RFC3339.date(millis: s.int(3)),
                        committedAt: s.optionalInt(4).map(RFC3339.date(millis:)),
                        broadcastAt: s.optionalInt(5).map(RFC3339.date(millis:))))
            }
            return out
        }
    }

    /// Records when events were first written to sockets (kept for latency analysis;
    /// an event already stamped keeps its first stamp). One transaction for all stamps.
    public func stampBroadcast(_ stamps: [BroadcastStamp]) async throws {
        guard !stamps.isEmpty else { return }
        try await write { db in
            let s = try db.prepare(
                """
                UPDATE events SET broadcast_at = ?
                WHERE tenant_id = ? AND seq BETWEEN ? AND ? AND broadcast_at IS NULL
                """)
            for stamp in stamps {
                try s.bind(1, RFC3339.millis(stamp.at)).bind(2, stamp.tenantId).bind(3, stamp.seqs.lowerBound)
                    .bind(4, stamp.seqs.upperBound).run()
            }
        }
    }

    /// Deletes events committed before `cutoff`, always keeping each tenant's newest one
    /// so `seq` keeps rising. Returns how many were deleted.
    public func purgeEvents(before cutoff: Date) async throws -> Int {
        let ms = RFC3339.millis(cutoff)
        return try await write { db in
            try db.prepare(
                """
                DELETE FROM events WHERE committed_at < ?
                AND seq < (SELECT max(e.seq) FROM events e WHERE e.tenant_id = events.tenant_id)
                """
            ).bind(1, ms).run()
            return db.changes
        }
    }

    /// Stores one event of `tenantId` in its own transaction (import progress and
    /// completion); returns its seq.
    @discardableResult
    public func appendEvent(tenantId: String, type: String, payload: String) async throws -> Int64 {
        let lw = leadWriter
        return try await write { _ in
            let now = Date()
            return try lw.appendEvent(tenantId: tenantId, type: type, payload: payload, receivedAt: now, now: now)
        }
    }
}

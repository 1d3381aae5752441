import Core
import Foundation
import Synchronization

/// Prometheus metrics of the host. Labels are route templates, methods, status codes
/// and vendor keys only — never tenant ids or personal data.
final class Metrics: Sendable {
    /// Histogram bucket upper bounds in seconds.
    static let buckets: [Double] = [
        0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    struct Histogram {
        var counts = [UInt64](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var count: UInt64 = 0

        mutating func observe(_ seconds: Double) {
            for (i, b) in Metrics.buckets.enumerated() where seconds <= b { counts[i] += 1 }
            sum += seconds
            count += 1
        }
    }

    private struct State {
        var requests: [String: UInt64] = [:]  // "route|method|status"
        var durations: [String: Histogram] = [:]  // route
        var leads: [String: UInt64] = [:]  // "vendor|outcome"
        var committed = Histogram()
        var broadcast = Histogram()
    }

    private let state = Mutex(State())

    func request(route: String, method: String, status: Int, since start: ContinuousClock.Instant) {
        let seconds = Metrics.seconds(ContinuousClock.now - start)
        state.withLock { s in
            s.requests["\(route)|\(method)|\(status)", default: 0] += 1
            s.durations[route, default: Histogram()].observe(seconds)
        }
    }

    func ingested(vendor: String, outcome: IngestResult.Outcome, committedAfter: Duration) {
        state.withLock { s in
            s.leads["\(vendor)|\(outcome.rawValue)", default: 0] += 1
            s.committed.observe(Metrics.seconds(committedAfter))
        }
    }

    /// Events written to their tenant's sockets: each one's received → broadcast time.
    func broadcast(receivedAt: [Date], at: Date) {
        state.withLock { s in
            for r in receivedAt { s.broadcast.observe(max(0, at.timeIntervalSince(r))) }
        }
    }

    /// Counts the leads an import created and updated, per vendor of the file.
    func imported(_ reply: ImportReply) {
        let vendor = reply.vendor
        state.withLock { s in
            s.leads["\(vendor)|created", default: 0] += UInt64(reply.created)
            s.leads["\(vendor)|updated", default: 0] += UInt64(reply.updated)
            s.leads["\(vendor)|unchanged", default: 0] += UInt64(reply.unchanged)
        }
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }

    func render(enrichmentQueueDepth: Int) -> String {
        let s = state.withLock { $0 }
        var out = ""
        out += "# HELP sluice_http_requests_total HTTP requests by route template, method and status.\n"
        out += "# TYPE sluice_http_requests_total counter\n"
        for (key, n) in s.requests.sorted(by: { $0.key < $1.key }) {
            let p = key.split(separator: "|", omittingEmptySubsequences: false)
            out += "sluice_http_requests_total{route=\"\(p[0])\",method=\"\(p[1])\",status=\"\(p[2])\"} \(n)\n"
        }
        out += "# HELP sluice_http_request_duration_seconds Time from request headers to response.\n"
        out += "# TYPE sluice_http_request_duration_seconds histogram\n"
        for (route, h) in s.durations.sorted(by: { $0.key < $1.key }) {
            out += Metrics.histogram("sluice_http_request_duration_seconds", "route=\"\(route)\"", h)
        }
        out += "# HELP sluice_leads_ingested_total Purchases stored (webhooks and uploads), by vendor and outcome.\n"
        out += "# TYPE sluice_leads_ingested_total counter\n"
        for (key, n) in s.leads.sorted(by: { $0.key < $1.key }) {
            let p = key.split(separator: "|")
            out += "sluice_leads_ingested_total{vendor=\"\(p[0])\",outcome=\"\(p[1])\"} \(n)\n"
        }
        out += "# HELP sluice_ingest_commit_seconds Time from a webhook's arrival to its durable commit.\n"
        out += "# TYPE sluice_ingest_commit_seconds histogram\n"
        out += Metrics.histogram("sluice_ingest_commit_seconds", nil, s.committed)
        out += "# HELP sluice_event_process_seconds Time from a webhook's arrival to its event being written to "
        out += "the tenant's sockets (the events' processMs), for events broadcast live.\n"
        out += "# TYPE sluice_event_process_seconds histogram\n"
        out += Metrics.histogram("sluice_event_process_seconds", nil, s.broadcast)
        out += "# HELP sluice_enrichment_queue_depth Enrichment jobs waiting (pending or parked).\n"
        out += "# TYPE sluice_enrichment_queue_depth gauge\n"
        out += "sluice_enrichment_queue_depth \(enrichmentQueueDepth)\n"
        return out
    }

    static func histogram(_ name: String, _ labels: String?, _ h: Histogram) -> String {
        let prefix = labels.map { $0 + "," } ?? ""
        var out = ""
        for (i, b) in buckets.enumerated() {
            out += "\(name)_bucket{\(prefix)le=\"\(JSONValue.format(b))\"} \(h.counts[i])\n"
        }
        out += "\(name)_bucket{\(prefix)le=\"+Inf\"} \(h.count)\n"
        let l = labels.map { "{\($0)}" } ?? ""
        out += "\(name)_sum\(l) \(h.sum)\n\(name)_count\(l) \(h.count)\n"
        return out
    }
}

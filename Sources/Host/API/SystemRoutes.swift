import Core
import Foundation
import HostHTTP

extension App {
    /// `GET /healthz`: 200 when the store answers, 503 otherwise.
    func health() async -> HTTPResponse {
        do {
            _ = try await store.durability()
            return .json(200, #"{"status":"ok"}"#, headers: [("Cache-Control", "no-store")])
        } catch {
            return .json(
                503, #"{"status":"unavailable","code":"store_unreachable","error":"The database does not answer."}"#)
        }
    }

    /// `GET /metrics`: Prometheus text format.
    func metricsPage() async -> HTTPResponse {
        let depth = (try? await store.enrichmentQueueDepth()) ?? -1
        var text = metrics.render(enrichmentQueueDepth: depth)
        text += "# HELP sluice_websockets_connected Event stream sockets open now.\n"
        text += "# TYPE sluice_websockets_connected gauge\n"
        text += "sluice_websockets_connected \(hub.socketCount)\n"
        return .text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }
}

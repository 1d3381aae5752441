import Core
import Foundation
import HostHTTP

#if canImport(Glibc)
import Glibc
#endif

/// `sluice serve [--port 8080] [--db PATH] [--vendors FILE]`: the host.
///
/// Starts the HTTP server and the enrichment worker, prints `listening on
/// http://127.0.0.1:PORT` once `/healthz` answers 200, and on SIGTERM or SIGINT stops
/// accepting, finishes in-flight requests and exits 0.
enum ServeCommand {
    static func run(_ argv: [String]) async throws {
        let args = try Arguments(
            argv, valueOptions: ["db", "vendors", "port", "host", "inbox-retention-days", "allowed-origins"],
            flagNames: [])
        try args.expectPositionals(max: 0, usage: "sluice serve [--port 8080] [--db PATH] [--vendors FILE]")
        let port =
            try args.value("port").map { v throws(UsageError) -> UInt16 in
                guard let p = UInt16(v) else { throw UsageError("--port must be a number from 0 to 65535") }
                return p
            } ?? 8080
        let retentionDays =
            try args.value("inbox-retention-days").map { v throws(UsageError) -> Int in
                guard let d = Int(v), d >= 0 else { throw UsageError("--inbox-retention-days must be a whole number") }
                return d
            } ?? 30
        let host = args.value("host") ?? "127.0.0.1"
        guard host == "127.0.0.1" || host == "::1" || host == "localhost" else {
            throw UsageError("--host must be a loopback address (127.0.0.1 or ::1); put a proxy in front for more")
        }
        let env = Environment(args)
        let catalog = try env.loadVendors()
        let store: SQLiteStore
        do {
            guard let s = try env.openStore() as? SQLiteStore else {
                throw CommandFailure("only SQLite stores can be served for now", status: 2)
            }
            store = s
        }
        // Commits then overwrite the log's blocks instead of growing the file (see prepareLog).
        _ = try? await store.prepareLog()

        let metrics = Metrics()
        let worker = EnrichmentWorker(store: store, catalog: catalog)
        let hub = EventHub(store: store, metrics: metrics)
        store.observeCommittedEvents { hub.committed($0) }
        let app = App(
            store: store, catalog: catalog, worker: worker, metrics: metrics, secrets: try env.secretBox(),
            inboxDirectory: env.dataDirectory + "/inbox", hub: hub,
            allowedOrigins: Set(
                (args.value("allowed-origins") ?? ProcessInfo.processInfo.environment["SLUICE_ALLOWED_ORIGINS"] ?? "")
                    .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                    .filter { !$0.isEmpty }))
        var config = HTTPServer.Configuration()
        config.host = host == "localhost" ? "127.0.0.1" : host
        config.port = port
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: config, handler: app)
            try server.start()
        } catch {
            throw CommandFailure("\(error)")
        }
        let workerTask = Task { await worker.run() }
        let hubTask = Task { await hub.run() }
        let purgeTask = Task { await purgeInbox(store: store, keepDays: retentionDays) }

        guard await selfCheck(port: server.port) else {
            await server.shutdown(gracePeriod: .seconds(1))
            throw CommandFailure("the server started but /healthz did not answer 200")
        }
        print("listening on http://\(config.host == "::1" ? "[::1]" : config.host):\(server.port)")
        fflush(nil)  // stdout is a pipe in tests: make the line visible now
        Log.info("host started", ["port": String(server.port), "db": env.dbLocation])
        // The web app's files are read now, not on the first visit; without them the API
        // still serves and `/` answers 503.
        if WebAssets.shared.index == nil {
            Log.error("web app files not found; / answers 503 (set SLUICE_WEB_ROOT to the Web folder)")
        }

        await waitForTermination()
        Log.info("shutting down")
        // Every acknowledged write is already durable, so a shutdown that stalls must not
        // keep the process alive: after the grace period and a margin, exit anyway.
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 9)
            Log.error("shutdown took too long; exiting")
            exit(0)
        }
        await server.shutdown(gracePeriod: .seconds(5))
        Log.info("http server stopped")
        workerTask.cancel()
        hubTask.cancel()
        purgeTask.cancel()
        _ = await workerTask.value
        _ = await hubTask.value  // writes the last broadcast times
        Log.info("stopped")
    }

    /// Drops raw deliveries older than their retention period (an upload's file with its
    /// rejected rows) and events older than 24 hours (keeping each tenant's newest), at
    /// start and every 6 hours.
    static func purgeInbox(store: SQLiteStore, keepDays: Int) async {
        while !Task.isCancelled {
            let cutoff = Date().addingTimeInterval(-Double(keepDays) * 86_400)
            _ = try? await store.purgeEvents(before: Date().addingTimeInterval(-24 * 3600))
            if let paths = try? await store.purgeInbox(before: cutoff) {
                for p in paths {
                    for file in [p] + InboxFile.companions(of: p) { try? FileManager.default.removeItem(atPath: file) }
                }
                if !paths.isEmpty { Log.info("inbox purged", ["files": String(paths.count)]) }
            }
            try? await Task.sleep(for: .seconds(6 * 3600))
        }
    }

    /// Asks our own `/healthz` over loopback until it answers 200 (up to ~5 s).
    static func selfCheck(port: UInt16) async -> Bool {
        for _ in 0..<50 {
            if HealthProbe.get(port: port) == 200 { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// Returns at the first SIGTERM or SIGINT.
    static func waitForTermination() async {
        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGTERM, SIGINT].map { sig -> any DispatchSourceSignal in
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler { continuation.yield() }
            s.resume()
            return s
        }
        defer { for s in sources { s.cancel() } }
        for await _ in stream { return }
    }
}

/// A minimal blocking HTTP GET of `/healthz` on 127.0.0.1, for the start-up check.
enum HealthProbe {
    static func get(port: UInt16) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        let request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n > 12 else { return nil }
        let line = String(decoding: buffer[0..<n], as: UTF8.self)
        let parts = line.split(separator: " ", maxSplits: 2)
        return parts.count >= 2 ? Int(parts[1]) : nil
    }
}

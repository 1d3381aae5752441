import Core
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// `sluice import FILE --tenant ID [--vendor KEY] [--errors FILE] [--json]`.
enum ImportCommand {
    static let usage = "sluice import FILE --tenant ID [--vendor KEY] [--errors FILE] [--json]"

    static func run(_ argv: [String]) async throws {
        let args = try Arguments(
            argv, valueOptions: ["db", "vendors", "tenant", "vendor", "errors", "batch-size"], flagNames: ["json"])
        try args.expectPositionals(max: 1, usage: usage)
        guard let path = args.positionals.first else { throw UsageError("missing FILE; usage: \(usage)") }
        let tenantId = try args.required("tenant", "ID")
        let batchSize = try args.value("batch-size").map { v throws(UsageError) in
            guard let n = Int(v), n > 0, n <= 100_000 else { throw UsageError("--batch-size must be 1…100000") }
            return n
        }
        let env = Environment(args)
        let catalog = try env.loadVendors()
        let store = try env.openStore()
        guard try await store.tenant(id: tenantId) != nil else {
            throw CommandFailure("there is no tenant with id \(tenantId)")
        }

        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        let total = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil

        let rejected: RejectedRowsFile?
        do {
            rejected = try args.value("errors").map { try RejectedRowsFile(path: $0) }
        } catch let e as ImportError {
            throw CommandFailure(e.message)
        }
        var options = CSVImport.Options(tenantId: tenantId, vendor: args.value("vendor"))
        if let batchSize { options.batchSize = batchSize }
        let importer = CSVImport(catalog: catalog, store: store, options: options) { error, names, values in
            rejected?.write(error, names: names, values: values)
        }
        let progress = ProgressReporter(totalBytes: total, quiet: false)

        var buffer = [UInt8](repeating: 0, count: 256 * 1024)
        let reply: ImportReply
        do {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw CommandFailure("cannot read \(path): \(String(cString: strerror(errno)))")
                }
                if n == 0 { break }
                try await importer.feed(Array(buffer[0..<n]))
                progress.update(bytes: importer.bytes, rows: importer.rowsRead)
            }
            reply = try await importer.finish()
        } catch let e as ImportError {
            progress.finish()
            throw CommandFailure("\(path): \(e.message)")
        }
        progress.finish(rows: importer.rowsRead)
        try await store.saveImport(id: reply.batchId, tenantId: tenantId, vendor: reply.vendor, reply: reply.json())
        // A running host picks this up within a second and tells the tenant's sockets.
        if let events = store as? SQLiteStore {
            _ = try? await events.appendEvent(
                tenantId: tenantId, type: "import_completed",
                payload: App.completedJSON(reply, clientRef: nil, rejectedRowsUrl: nil))
        }
        // After the import is saved: a full disk loses the errors file, not the import.
        do {
            try rejected?.close()
        } catch let e as ImportError {
            throw CommandFailure(e.message)
        }

        if args.flag("json") {
            // The upload's reply; this import's rejected rows are in --errors FILE, not on a server.
            print(App.adding([App.rejectedRowsMember(nil)], to: reply.json()))
        } else {
            print(
                "\(path): \(reply.rows) rows from \(reply.vendor) — \(reply.created) created, \(reply.updated) updated, "
                    + "\(reply.unchanged) unchanged, \(reply.skipped) skipped (batch \(reply.batchId))")
            for e in reply.errors.prefix(10) { print("  row \(e.row) (line \(e.line)): \(e.message)") }
            if reply.errorCount > 10 {
                print("  … \(reply.errorCount - 10) more" + (args.value("errors").map { " in \($0)" } ?? ""))
            }
        }
        if reply.rows > 0 && reply.skipped == reply.rows {
            throw CommandFailure("nothing could be imported from \(path): every row was rejected")
        }
    }
}

/// Progress on stderr: a redrawn bar on a terminal, a plain line every few seconds otherwise.
final class ProgressReporter {
    private let totalBytes: Int?
    private let tty: Bool
    private let started = Date()
    private var lastDraw = Date.distantPast
    private let quiet: Bool

    init(totalBytes: Int?, quiet: Bool) {
        self.totalBytes = totalBytes
        self.tty = isatty(2) == 1
        self.quiet = quiet
    }

    func update(bytes: Int, rows: Int) {
        guard !quiet else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= (tty ? 0.1 : 2.0) else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(rows) / elapsed
        var line = "\(rows) rows, \(Int(rate)) rows/s"
        if let totalBytes, totalBytes > 0 {
            let fraction = min(1, Double(bytes) / Double(totalBytes))
            let eta = fraction > 0 ? elapsed / fraction - elapsed : 0
            line = "\(Int(fraction * 100))% " + line + ", ETA \(Int(eta.rounded()))s"
            if tty {
                let width = 30
                let filled = Int(fraction * Double(width))
                line =
                    "[" + String(repeating: "#", count: filled) + String(repeating: " ", count: width - filled) + "] "
                    + line
            }
        }
        write(tty ? "\r\u{1B}[K" + line : "import: " + line + "\n")
    }

    func finish(rows: Int? = nil) {
        guard !quiet else { return }
        if tty { write("\r\u{1B}[K") }
        if let rows {
            let elapsed = max(Date().timeIntervalSince(started), 0.001)
            write(
                "import: \(rows) rows in \(String(format: "%.1f", elapsed))s (\(Int(Double(rows) / elapsed)) rows/s)\n")
        }
    }

    private func write(_ s: String) {
        FileHandle.standardError.write(Data(s.utf8))
    }
}

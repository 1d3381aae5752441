import Core
import Foundation

/// `sluice replay --vendor KEY [--tenant ID] --since RFC3339`: runs the kept raw
/// deliveries (webhook bodies, uploaded files) through the current adapters again —
/// after a mapping fix, say. Idempotent: a purchase already stored the same way is
/// `unchanged`; one the fix changes is `updated`.
enum ReplayCommand {
    static let usage = "sluice replay --vendor KEY [--tenant ID] --since RFC3339"

    static func run(_ argv: [String]) async throws {
        let args = try Arguments(
            argv, valueOptions: ["db", "vendors", "vendor", "tenant", "since"], flagNames: ["json"])
        try args.expectPositionals(max: 0, usage: usage)
        let key = try args.required("vendor", "KEY")
        guard let since = RFC3339.parse(try args.required("since", "RFC3339")) else {
            throw UsageError("--since must be an RFC 3339 time such as 2025-05-01T00:00:00Z")
        }
        let env = Environment(args)
        let catalog = try env.loadVendors()
        guard let vendor = catalog[key] else { throw CommandFailure(catalog.unknownVendorMessage(key)) }
        guard let store = try env.openStore() as? SQLiteStore else {
            throw CommandFailure("only SQLite stores are supported for now", status: 2)
        }
        let entries = try await store.inboxEntries(vendor: key, tenantId: args.value("tenant"), since: since)
        var counts = ["deliveries": 0, "created": 0, "updated": 0, "unchanged": 0, "failed": 0]
        for entry in entries {
            counts["deliveries", default: 0] += 1
            switch entry.channel {
            case .webhook:
                do {
                    guard let body = entry.body, case .object(let object) = try JSONValue.parse(Data(body)) else {
                        counts["failed", default: 0] += 1
                        continue
                    }
                    let item = try Ingestor.prepare(
                        vendor: vendor, record: VendorRecord(object: object), tenantId: entry.tenantId, enrich: true,
                        receivedAt: entry.receivedAt)
                    switch try await store.ingest(batch: [item])[0] {
                    case .success(let r): counts[r.outcome.rawValue, default: 0] += 1
                    case .failure: counts["failed", default: 0] += 1
                    }
                } catch {
                    counts["failed", default: 0] += 1
                }
            case .upload:
                guard let path = entry.path, let data = FileManager.default.contents(atPath: path) else {
                    counts["failed", default: 0] += 1
                    continue
                }
                let importer = CSVImport(
                    catalog: catalog, store: store, options: CSVImport.Options(tenantId: entry.tenantId, vendor: key))
                do {
                    var offset = 0
                    let bytes = [UInt8](data)
                    while offset < bytes.count {
                        let end = min(bytes.count, offset + 256 * 1024)
                        try await importer.feed(Array(bytes[offset..<end]))
                        offset = end
                    }
                    let reply = try await importer.finish()
                    counts["created", default: 0] += reply.created
                    counts["updated", default: 0] += reply.updated
                    counts["unchanged", default: 0] += reply.unchanged
                    counts["failed", default: 0] += reply.skipped
                } catch {
                    counts["failed", default: 0] += 1
                }
            }
        }
        if args.flag("json") {
            let members = counts.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }
            print("{" + members.joined(separator: ",") + "}")
        } else {
            print(
                "replayed \(counts["deliveries"]!) \(key) deliveries: \(counts["created"]!) created, "
                    + "\(counts["updated"]!) updated, \(counts["unchanged"]!) unchanged, \(counts["failed"]!) failed")
        }
    }
}

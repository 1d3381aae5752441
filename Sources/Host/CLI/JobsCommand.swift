import Core

/// `sluice jobs retry [--lead ID]`: puts parked enrichment jobs back in the queue; a
/// running host picks them up within its poll interval.
enum JobsCommand {
    static func retry(_ argv: [String]) async throws {
        let args = try Arguments(argv, valueOptions: ["db", "lead"], flagNames: ["json"])
        try args.expectPositionals(max: 0, usage: "sluice jobs retry [--lead ID]")
        guard let store = try Environment(args).openStore() as? SQLiteStore else {
            throw CommandFailure("only SQLite stores are supported for now", status: 2)
        }
        let n = try await store.retryParkedJobs(leadId: args.value("lead"))
        if args.flag("json") {
            print("{\"requeued\":\(n)}")
        } else {
            print("requeued \(n) parked enrichment job\(n == 1 ? "" : "s")")
        }
    }
}

import Core
import Foundation

/// `sluice`: the host and its command line (see `Docs/` and `sluice help`).
let usage = """
    usage: sluice COMMAND [options]

      serve [--port 8080] [--db PATH] [--vendors FILE]   run the host
      tenants add NAME                                     create a tenant, print its id
      users add --tenant ID --email E [--role admin|agent] [--password P]
      credentials add --tenant ID --vendor KEY             webhook credentials for a vendor
      credentials revoke --vendor KEY --id ID
      import FILE --tenant ID [--vendor KEY] [--errors FILE]
      replay --vendor KEY [--tenant ID] --since RFC3339
      jobs retry [--lead ID]
      vendors check [FILE]

    Every command takes --db (default ./data/sluice.db, env SLUICE_DB); commands that read
    vendors take --vendors (default ./vendors.yaml, env SLUICE_VENDORS); --json prints one
    JSON object on stdout.
    """

func dispatch(_ argv: [String]) async throws {
    let words = argv.prefix(2).map { $0 }
    switch (words.first, words.dropFirst().first) {
    case ("tenants", "add"): try await AccountCommands.tenantsAdd(Array(argv.dropFirst(2)))
    case ("users", "add"): try await AccountCommands.usersAdd(Array(argv.dropFirst(2)))
    case ("credentials", "add"): try await AccountCommands.credentialsAdd(Array(argv.dropFirst(2)))
    case ("credentials", "revoke"): try await AccountCommands.credentialsRevoke(Array(argv.dropFirst(2)))
    case ("import", _): try await ImportCommand.run(Array(argv.dropFirst(1)))
    case ("vendors", "check"): try VendorsCommand.check(Array(argv.dropFirst(2)))
    case ("serve", _): try await ServeCommand.run(Array(argv.dropFirst(1)))
    case ("jobs", "retry"): try await JobsCommand.retry(Array(argv.dropFirst(2)))
    case ("replay", _): try await ReplayCommand.run(Array(argv.dropFirst(1)))
    case ("help", _), ("--help", _), ("-h", _), (nil, _):
        print(usage)
    default:
        throw UsageError("unknown command '\(words.joined(separator: " "))'; run 'sluice help'")
    }
}

let argv = Array(CommandLine.arguments.dropFirst())
do {
    try await dispatch(argv)
    exit(0)
} catch let e as UsageError {
    Output.error(e.description)
    exit(2)
} catch let e as CommandFailure {
    Output.error(e.description)
    exit(e.status)
} catch {
    Output.error("\(error)")
    exit(1)
}

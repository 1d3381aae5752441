import Core

/// `sluice vendors check [FILE]`: validates a vendors file and lists what it declares.
enum VendorsCommand {
    static func check(_ argv: [String]) throws {
        let args = try Arguments(argv, valueOptions: ["vendors", "db"], flagNames: ["json"])
        try args.expectPositionals(max: 1, usage: "sluice vendors check [FILE]")
        var env = Environment(args)
        if let file = args.positionals.first { env.vendorsPath = file }
        let catalog: VendorCatalog
        do {
            catalog = try VendorCatalog.load(path: env.vendorsPath, registry: Environment.registry)
        } catch {
            // Every error on its own line, compiler style; exit 1.
            throw CommandFailure(error.description)
        }
        if args.flag("json") {
            print("{\"valid\":true,\"vendors\":[" + catalog.keys.map { "\"\($0)\"" }.joined(separator: ",") + "]}")
            return
        }
        print("\(env.vendorsPath): ok, \(catalog.vendors.count) vendors")
        for v in catalog.vendors {
            let channels = v.config.channels.sorted().map(\.rawValue).joined(separator: ", ")
            print("  \(v.key) (\(v.config.name)): adapter \(v.config.adapter), channels \(channels)")
        }
    }
}

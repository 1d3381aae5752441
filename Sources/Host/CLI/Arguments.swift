import Core

/// The command line after the command words: options (`--name value`, `--name=value`),
/// flags (`--json`) and positionals, with errors that say what is wrong.
///
/// Plain value; parsing is the only logic here, so it is unit-testable.
struct Arguments {
    private(set) var positionals: [String] = []
    private var options: [String: String] = [:]
    private var flags: Set<String> = []
    private var consumed: Set<String> = []

    /// - Parameters:
    ///   - valueOptions: names that take a value (`db`, `tenant`, …).
    ///   - flagNames: names that take none (`json`).
    init(_ args: [String], valueOptions: [String], flagNames: [String]) throws(UsageError) {
        var i = 0
        while i < args.count {
            let a = args[i]
            i += 1
            guard a.hasPrefix("--"), a.count > 2 else {
                positionals.append(a)
                continue
            }
            var name = String(a.dropFirst(2))
            var inline: String?
            if let eq = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if flagNames.contains(name) {
                guard inline == nil else { throw UsageError("--\(name) takes no value") }
                flags.insert(name)
            } else if valueOptions.contains(name) {
                if let inline {
                    options[name] = inline
                } else {
                    guard i < args.count else { throw UsageError("--\(name) needs a value") }
                    options[name] = args[i]
                    i += 1
                }
            } else {
                var message = "unknown option --\(name)"
                if let near = Suggest.nearest(to: name, in: valueOptions + flagNames) {
                    message += " (did you mean --\(near)?)"
                }
                throw UsageError(message)
            }
        }
    }

    func value(_ name: String) -> String? { options[name] }

    func required(_ name: String, _ what: String) throws(UsageError) -> String {
        guard let v = options[name], !v.isEmpty else { throw UsageError("missing --\(name) \(what)") }
        return v
    }

    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// Fails when more positionals were given than the command takes.
    func expectPositionals(max: Int, usage: String) throws(UsageError) {
        if positionals.count > max {
            throw UsageError("unexpected argument '\(positionals[max])'; usage: \(usage)")
        }
    }
}

/// A mistake in how a command was called: exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// A command that ran but failed: one sentence on stderr, exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    var status: Int32 = 1
    init(_ message: String, status: Int32 = 1) {
        description = message
        self.status = status
    }
}

/// Typed reading of a ``YAMLNode`` with errors that point at the place.
///
/// Used by the vendors loader and by adapter factories to read their `options`:
///
/// ```swift
/// let map = try ConfigMap(node, file: config.file, context: "options")
/// let zone = try map.optionalString("timezone")
/// try map.rejectUnknown(allowed: ["timezone", "columns"])
/// ```
public struct ConfigMap: Sendable {
    public let file: String
    public let mark: SourceMark
    public let members: [YAMLMember]
    /// What this mapping is, for messages ("vendor 'marketplace'", "column 'created'").
    public let context: String

    public init(_ node: YAMLNode, file: String, context: String) throws(ConfigError) {
        guard case .mapping(let members, let mark) = node else {
            throw ConfigError(file: file, mark: node.mark, "\(context) must be a mapping, found \(node.kindName)")
        }
        self.file = file
        self.mark = mark
        self.members = members
        self.context = context
    }

    public func member(_ key: String) -> YAMLMember? { members.first { $0.key == key } }

    public func node(_ key: String) -> YAMLNode? { member(key)?.value }

    public func requiredNode(_ key: String) throws(ConfigError) -> YAMLNode {
        guard let n = node(key) else {
            throw ConfigError(file: file, mark: mark, "\(context) is missing '\(key)'")
        }
        return n
    }

    public func optionalString(_ key: String) throws(ConfigError) -> String? {
        guard let n = node(key) else { return nil }
        return try scalar(n, key)
    }

    public func string(_ key: String) throws(ConfigError) -> String {
        try scalar(try requiredNode(key), key)
    }

    public func optionalBool(_ key: String) throws(ConfigError) -> Bool? {
        guard let n = node(key) else { return nil }
        let text = try scalar(n, key)
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw ConfigError(file: file, mark: n.mark, "'\(key)' must be true or false, found '\(text)'")
        }
    }

    public func optionalInt(_ key: String) throws(ConfigError) -> Int? {
        guard let n = node(key) else { return nil }
        let text = try scalar(n, key)
        guard let v = Int(text) else {
            throw ConfigError(file: file, mark: n.mark, "'\(key)' must be a whole number, found '\(text)'")
        }
        return v
    }

    /// A list of scalars; a single scalar is accepted as a one-element list.
    public func optionalStrings(_ key: String) throws(ConfigError) -> [String]? {
        guard let n = node(key) else { return nil }
        switch n {
        case .scalar(let s, _, _): return [s]
        case .sequence(let items, _):
            var out: [String] = []
            for item in items { out.append(try scalar(item, key)) }
            return out
        case .mapping:
            throw ConfigError(file: file, mark: n.mark, "'\(key)' must be a list of names, found a mapping")
        }
    }

    public func optionalMap(_ key: String, context: String? = nil) throws(ConfigError) -> ConfigMap? {
        guard let n = node(key) else { return nil }
        return try ConfigMap(n, file: file, context: context ?? "'\(key)'")
    }

    /// Fails on the first key not in `allowed`, suggesting the nearest allowed one.
    public func rejectUnknown(allowed: [String]) throws(ConfigError) {
        for m in members where !allowed.contains(m.key) {
            var message = "unknown key '\(m.key)' in \(context)"
            if let near = Suggest.nearest(to: m.key, in: allowed) { message += " (did you mean '\(near)'?)" }
            throw ConfigError(file: file, mark: m.keyMark, message)
        }
    }

    public func scalar(_ n: YAMLNode, _ key: String) throws(ConfigError) -> String {
        guard case .scalar(let s, _, _) = n else {
            throw ConfigError(file: file, mark: n.mark, "'\(key)' must be a single value, found \(n.kindName)")
        }
        return s
    }

    public func error(_ mark: SourceMark?, _ message: String) -> ConfigError {
        ConfigError(file: file, mark: mark ?? self.mark, message)
    }
}

/// "Did you mean" suggestions by edit distance.
public enum Suggest {
    /// The candidate closest to `word`, when it is close enough to be a likely typo.
    public static func nearest(to word: String, in candidates: [String]) -> String? {
        var best: (String, Int)?
        for c in candidates {
            let d = distance(word.lowercased(), c.lowercased())
            if best == nil || d < best!.1 { best = (c, d) }
        }
        guard let (name, d) = best else { return nil }
        let limit = max(1, min(3, name.count / 3))
        return d <= limit ? name : nil
    }

    /// Levenshtein distance over Unicode scalars.
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            for j in 1...b.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[b.count]
    }
}

extension ConfigMap {
    /// One error per key not in `allowed`, each suggesting the nearest allowed key;
    /// for loaders that report every mistake at once (``rejectUnknown(allowed:)`` stops at the first).
    public func unknownKeyErrors(allowed: [String]) -> [ConfigError] {
        members.filter { !allowed.contains($0.key) }.map { m in
            var message = "unknown key '\(m.key)' in \(context)"
            if let near = Suggest.nearest(to: m.key, in: allowed) { message += " (did you mean '\(near)'?)" }
            return ConfigError(file: file, mark: m.keyMark, message)
        }
    }

    /// Like ``optionalStrings(_:)`` but keeps where each value was written, so a bad
    /// item can be pointed at. A single scalar is a one-element list.
    public func optionalScalarList(_ key: String) throws(ConfigError) -> [(value: String, mark: SourceMark)]? {
        guard let n = node(key) else { return nil }
        switch n {
        case .scalar(let s, _, let mark): return [(s, mark)]
        case .sequence(let items, _):
            var out: [(value: String, mark: SourceMark)] = []
            for item in items { out.append((try scalar(item, key), item.mark)) }
            return out
        case .mapping:
            throw ConfigError(file: file, mark: n.mark, "'\(key)' must be a list of names, found a mapping")
        }
    }
}

extension Suggest {
    /// "unknown adapter 'csv-maping' (did you mean 'csv-mapping'?)", or, when nothing is
    /// close, "unknown adapter 'x'; known adapters: csv-mapping, nextgen".
    /// With `alwaysListKnown` the known names follow a suggestion too.
    public static func unknownMessage(
        _ kind: String, _ value: String, known: [String], plural: String? = nil, alwaysListKnown: Bool = false
    ) -> String {
        var message = "unknown \(kind) '\(value)'"
        let near = nearest(to: value, in: known)
        if let near { message += " (did you mean '\(near)'?)" }
        if near == nil || alwaysListKnown {
            let plural = plural ?? kind + "s"
            if known.isEmpty {
                message += "; no \(plural) are configured"
            } else {
                message += "; known \(plural): \(known.joined(separator: ", "))"
            }
        }
        return message
    }
}

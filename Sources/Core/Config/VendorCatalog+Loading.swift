import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension VendorCatalog {
    /// Reads and validates the vendors file at `path` (see ``VendorCatalog`` for its shape),
    /// building every vendor's adapter from `registry`.
    ///
    /// Messages name the file by `path` as given. An unreadable file is one error without
    /// a place: `vendors.yaml: error: cannot read file (No such file or directory)`.
    public static func load(path: String, registry: AdapterRegistry) throws(ConfigErrors) -> VendorCatalog {
        let bytes: [UInt8]
        do {
            bytes = try readFile(path)
        } catch {
            throw ConfigErrors([error])
        }
        return try parse(bytes: bytes, file: path, registry: registry)
    }

    /// Validates vendors-file `text`; `file` names it in messages.
    public static func parse(
        text: String, file: String, registry: AdapterRegistry
    ) throws(ConfigErrors)
        -> VendorCatalog
    {
        try parse(bytes: Array(text.utf8), file: file, registry: registry)
    }

    /// Validates vendors-file `bytes` (UTF-8); `file` names it in messages.
    public static func parse(
        bytes: [UInt8], file: String, registry: AdapterRegistry
    ) throws(ConfigErrors)
        -> VendorCatalog
    {
        let root: YAMLNode
        do {
            root = try YAMLParser.parse(bytes, file: file)
        } catch {
            throw ConfigErrors([error])
        }
        var validator = VendorFileValidator(file: file, registry: registry)
        let vendors = validator.vendors(in: root)
        guard validator.errors.isEmpty else {
            // In line order; errors without a place (none today) first; stable otherwise.
            let sorted = validator.errors.enumerated().sorted { a, b in
                let ka = (a.element.mark?.line ?? 0, a.element.mark?.column ?? 0, a.offset)
                let kb = (b.element.mark?.line ?? 0, b.element.mark?.column ?? 0, b.offset)
                return ka < kb
            }
            throw ConfigErrors(sorted.map(\.element))
        }
        return VendorCatalog(vendors: vendors)
    }

    /// The file's bytes, at most one more than ``YAMLParser/maxBytes`` (so the parser
    /// can say it is too large without reading all of it).
    private static func readFile(_ path: String) throws(ConfigError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw readError(path, errno) }
        defer { close(fd) }
        let limit = YAMLParser.maxBytes + 1
        var bytes = [UInt8](repeating: 0, count: limit)
        var count = 0
        while count < limit {
            let n = bytes.withUnsafeMutableBytes { buf in read(fd, buf.baseAddress! + count, limit - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw readError(path, errno)
            }
            if n == 0 { break }
            count += n
        }
        bytes.removeSubrange(count...)
        return bytes
    }

    private static func readError(_ path: String, _ code: Int32) -> ConfigError {
        ConfigError(file: path, mark: nil, "cannot read file (\(String(cString: strerror(code))))")
    }
}

/// Stage two: reads the ``YAMLNode`` tree into vendors, collecting every error instead
/// of stopping at the first, so one run of `sluice vendors check` shows them all.
private struct VendorFileValidator {
    static let topKeys = ["version", "vendors"]
    static let entryKeys = ["name", "adapter", "channels", "webhook", "csv", "timezone", "options"]

    let file: String
    let registry: AdapterRegistry
    var errors: [ConfigError] = []

    init(file: String, registry: AdapterRegistry) {
        self.file = file
        self.registry = registry
    }

    mutating func vendors(in root: YAMLNode) -> [Vendor] {
        // Locals, not `self.file`: closures passed to the mutating `collect` cannot capture self.
        let file = self.file
        guard let top = collect({ () throws(ConfigError) in try ConfigMap(root, file: file, context: "the file") })
        else {
            return []
        }
        errors += top.unknownKeyErrors(allowed: Self.topKeys)
        switch collect({ () throws(ConfigError) in try top.optionalInt("version") }) {
        case nil, 1??: break
        case nil?: errors.append(top.error(nil, "the file is missing 'version' (write 'version: 1')"))
        case let version??:
            errors.append(
                top.error(top.node("version")?.mark, "unsupported version \(version) (this Sluice reads version 1)"))
        }
        guard let vendorsNode = top.node("vendors") else {
            errors.append(top.error(nil, "the file is missing 'vendors'"))
            return []
        }
        guard
            let entries = collect({ () throws(ConfigError) in
                try ConfigMap(vendorsNode, file: file, context: "'vendors'")
            })
        else { return [] }
        var out: [Vendor] = []
        for member in entries.members {
            if let vendor = vendor(member) { out.append(vendor) }
        }
        return out
    }

    /// One entry; nil when it has any error (all of them recorded).
    private mutating func vendor(_ member: YAMLMember) -> Vendor? {
        let before = errors.count
        let file = self.file
        let registry = self.registry
        let key = member.key
        if !VendorCatalog.isValidKey(key) {
            errors.append(
                ConfigError(
                    file: file, mark: member.keyMark,
                    "vendor key '\(key)' must be 1 to 32 lowercase letters, digits or '-', starting with a letter"))
        }
        guard
            let entry = collect({ () throws(ConfigError) in
                try ConfigMap(member.value, file: file, context: "vendor '\(key)'")
            })
        else { return nil }
        errors += entry.unknownKeyErrors(allowed: Self.entryKeys)

        let name = collect { () throws(ConfigError) in try Self.name(entry) }
        let adapter = collect { () throws(ConfigError) in try Self.adapterFactory(entry, registry) }
        let channels = collect { () throws(ConfigError) in try Self.channels(entry) }
        let auth = collect { () throws(ConfigError) in try Self.webhookAuth(entry, channels: channels) }
        let detect = collect { () throws(ConfigError) in try Self.detectHeaders(entry, channels: channels) }
        let timeZone = collect { () throws(ConfigError) in try Self.timeZone(entry) }
        guard errors.count == before, let name, let adapter, let channels, let auth, let detect, let timeZone else {
            return nil
        }
        let config = VendorConfig(
            key: key, name: name, adapter: adapter.name, channels: channels, detectHeaders: detect,
            timeZone: timeZone, webhookAuth: auth, options: entry.node("options"), file: file, mark: member.keyMark)
        guard let built = collect({ () throws(ConfigError) in try adapter.factory(config) }) else { return nil }
        return Vendor(config: config, adapter: built)
    }

    private static func name(_ entry: ConfigMap) throws(ConfigError) -> String {
        let name = try entry.string("name")
        guard !name.trimmingWhitespace().isEmpty else {
            throw entry.error(entry.node("name")?.mark, "'name' of \(entry.context) must not be empty")
        }
        return name
    }

    private static func adapterFactory(
        _ entry: ConfigMap, _ registry: AdapterRegistry
    ) throws(ConfigError) -> (name: String, factory: AdapterFactory) {
        let name = try entry.string("adapter")
        guard let factory = registry.factory(named: name) else {
            throw entry.error(
                entry.node("adapter")?.mark, Suggest.unknownMessage("adapter", name, known: registry.names))
        }
        return (name, factory)
    }

    private static func channels(_ entry: ConfigMap) throws(ConfigError) -> Set<VendorChannel> {
        _ = try entry.requiredNode("channels")
        let items = try entry.optionalScalarList("channels") ?? []
        let known = VendorChannel.allCases.map(\.rawValue)
        guard !items.isEmpty else {
            throw entry.error(
                entry.node("channels")?.mark, "'channels' must list at least one of: \(known.joined(separator: ", "))")
        }
        var channels = Set<VendorChannel>()
        for (value, mark) in items {
            guard let channel = VendorChannel(rawValue: value) else {
                throw entry.error(mark, Suggest.unknownMessage("channel", value, known: known))
            }
            guard channels.insert(channel).inserted else {
                throw entry.error(mark, "channel '\(value)' is listed twice")
            }
        }
        return channels
    }

    /// The section's map when `channels` requires it, nil when it is rightly absent.
    private static func section(
        _ channel: VendorChannel, _ entry: ConfigMap, channels: Set<VendorChannel>?
    ) throws(ConfigError) -> ConfigMap? {
        let key = channel.rawValue
        switch (entry.member(key), channels?.contains(channel)) {
        case (nil, true?):
            throw entry.error(
                entry.node("channels")?.mark, "\(entry.context) lists channel '\(key)' but has no '\(key)' section")
        case (let member?, false?):
            throw entry.error(member.keyMark, "'\(key)' is set but \(entry.context) does not list channel '\(key)'")
        case (nil, _):
            return nil
        case (let member?, _):
            return try ConfigMap(member.value, file: entry.file, context: "'\(key)' of \(entry.context)")
        }
    }

    private static func webhookAuth(
        _ entry: ConfigMap, channels: Set<VendorChannel>?
    ) throws(ConfigError)
        -> WebhookAuth?
    {
        guard let map = try section(.webhook, entry, channels: channels) else { return nil }
        try map.rejectUnknown(allowed: ["auth"])
        let value = try map.string("auth")
        guard let auth = WebhookAuth(rawValue: value) else {
            throw map.error(
                map.node("auth")?.mark,
                Suggest.unknownMessage(
                    "webhook auth", value, known: WebhookAuth.allCases.map(\.rawValue), plural: "kinds"))
        }
        return auth
    }

    private static func detectHeaders(_ entry: ConfigMap, channels: Set<VendorChannel>?) throws(ConfigError) -> [String]
    {
        guard let map = try section(.csv, entry, channels: channels) else { return [] }
        try map.rejectUnknown(allowed: ["detect"])
        _ = try map.requiredNode("detect")
        let items = try map.optionalScalarList("detect") ?? []
        guard !items.isEmpty else {
            throw map.error(map.node("detect")?.mark, "'detect' must list at least one header name")
        }
        for (value, mark) in items where value.trimmingWhitespace().isEmpty {
            throw map.error(mark, "'detect' header names must not be empty")
        }
        return items.map(\.value)
    }

    private static func timeZone(_ entry: ConfigMap) throws(ConfigError) -> String? {
        guard let zone = try entry.optionalString("timezone") else { return nil }
        guard TimeZone(identifier: zone) != nil else {
            // Only suggest a near name; the full list has hundreds of entries.
            var message = "unknown time zone '\(zone)'"
            if let near = Suggest.nearest(to: zone, in: TimeZone.knownTimeZoneIdentifiers) {
                message += " (did you mean '\(near)'?)"
            } else {
                message += " (use an IANA name such as 'America/Chicago')"
            }
            throw entry.error(entry.node("timezone")?.mark, message)
        }
        return zone
    }

    /// Runs `body`; on error records it and returns nil.
    private mutating func collect<T>(_ body: () throws(ConfigError) -> T) -> T? {
        do {
            return try body()
        } catch {
            errors.append(error)
            return nil
        }
    }
}

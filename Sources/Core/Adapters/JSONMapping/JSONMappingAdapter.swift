/// The configuration-only adapter for JSON webhook vendors, `adapter: json-mapping` in
/// `vendors.yaml`: each field path of the body (`contact.phones[0]`) is mapped to a
/// lead member or a `fields` name through the same transforms as `csv-mapping`.
///
/// The record is the body's top-level members (``VendorRecord/init(object:)``); a path
/// starts at one and descends into objects and arrays. A missing path is a blank value.
/// With `keep_unmapped` every top-level member not consumed by a mapping, `identity`
/// or `drop` is kept in `fields`, objects and arrays as JSON, minus the parts mapped
/// elsewhere (see ``ConsumedPaths``).
///
/// ```swift
/// var registry = AdapterRegistry()
/// JSONMappingAdapter.register(into: &registry)
/// let adapter = try registry.factory(named: "json-mapping")!(leadhubConfig)
/// let draft = try adapter.enrich(VendorRecord(object: body))
/// ```
///
/// Immutable after `init` and `Sendable`; one instance serves every thread.
public struct JSONMappingAdapter: VendorAdapter {
    /// The name `vendors.yaml` uses.
    public static let adapterName = "json-mapping"

    let options: JSONMappingOptions
    /// Rules the minimal transform applies (identity, contact and purchase targets).
    private let minimalRules: [Int]

    /// Compiles `config.options`; throws a ``ConfigError`` pointing at the offending line.
    public init(config: VendorConfig) throws(ConfigError) {
        let options = try JSONMappingOptions(config: config)
        self.options = options
        let rules = options.mapping.rules
        minimalRules = rules.indices.filter { rules[$0].target.isMinimal }
    }

    /// Registers the adapter under ``adapterName``.
    public static func register(into registry: inout AdapterRegistry) {
        registry.register(adapterName) { config throws(ConfigError) in try JSONMappingAdapter(config: config) }
    }

    public func minimal(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        try draft(record, rules: minimalRules, complete: false)
    }

    public func enrich(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        try draft(record, rules: options.mapping.rules.indices, complete: true)
    }

    /// Whether any mapped path has a non-blank value (`columns` name top-level members).
    public func hasData(_ record: VendorRecord, columns: [String]) -> Bool {
        columns.contains { record.string($0) != nil }
            || options.rulePaths.contains { $0.resolve(in: record).flatMap(CSVMappingAdapter.kept) != nil }
    }

    private func draft(
        _ record: VendorRecord, rules: some Sequence<Int>, complete: Bool
    ) throws(AdapterError) -> LeadDraft {
        let mapping = options.mapping
        var draft = LeadDraft()
        for i in rules {
            let rule = mapping.rules[i]
            let raw = options.rulePaths[i].resolve(in: record) ?? .null
            switch rule.apply(raw) {
            case .absent:
                continue
            case .value(let value):
                if let expectation = rule.store(value, in: &draft) { Self.reject(raw, rule, expectation, in: &draft) }
            case .invalid(let raw, let expectation):
                Self.reject(raw, rule, expectation, in: &draft)
            }
        }
        if !options.identityPaths.isEmpty { draft.vendorLeadId = identity(record) }
        if complete, mapping.keepUnmapped {
            for (name, value) in record.pairs {
                let key = LeadDraft.reservedNames.contains(name) ? "vendor_" + name : name
                guard draft.fields[key] == nil, let rest = options.consumed.remainder(ofMember: name, value),
                    let kept = CSVMappingAdapter.kept(rest)
                else { continue }
                draft.fields[key] = kept
            }
        }
        if draft.vendorLeadId == nil, draft.phone == nil, draft.email == nil {
            var paths = options.identityPaths.map(\.description)
            paths += mapping.rules.filter {
                [.member(.vendorLeadId), .member(.phone), .member(.email)].contains($0.target)
            }.map(\.column)
            throw AdapterError(
                .noIdentity,
                "The record has no phone, email or vendor lead id (fields \(paths.joined(separator: ", "))).",
                fields: paths)
        }
        return draft
    }

    /// The identity paths' values joined by `|`; nil unless every one has a value,
    /// since a partial key could match another lead.
    private func identity(_ record: VendorRecord) -> String? {
        var parts: [String] = []
        for path in options.identityPaths {
            guard let text = path.resolve(in: record)?.text.map(ValueParsing.trim), !text.isEmpty else { return nil }
            parts.append(text)
        }
        return parts.joined(separator: "|")
    }

    /// A failed value: left out of its target, its raw value kept in `fields` (under the
    /// target's name for a field, the path for a lead member), and a warning.
    private static func reject(_ raw: JSONValue, _ rule: ColumnRule, _ expectation: String, in draft: inout LeadDraft) {
        let key: String
        if case .field(let name) = rule.target { key = name } else { key = rule.column }
        if draft.fields[key] == nil, let value = CSVMappingAdapter.kept(raw) { draft.fields[key] = value }
        draft.warnings.append(
            LeadWarning(
                field: rule.target.description, code: .invalidValue,
                message:
                    "\(rule.target) (field '\(rule.column)') is not \(expectation); the raw value is kept in fields."
            ))
    }
}

/// The configuration-only adapter, `adapter: csv-mapping` in `vendors.yaml`: each column
/// is mapped to a lead member or a `fields` name through a list of transforms.
///
/// The options are compiled once into a per-column plan (``CSVMappingOptions``); a row
/// then costs one pass over the mapped columns. It reads JSON records just as well,
/// since both channels give a ``VendorRecord``.
///
/// ```swift
/// var registry = AdapterRegistry()
/// CSVMappingAdapter.register(into: &registry)
/// let adapter = try registry.factory(named: "csv-mapping")!(marketplaceConfig)
/// ```
///
/// Immutable after `init` and `Sendable`; one instance serves every thread.
public struct CSVMappingAdapter: VendorAdapter {
    /// The name `vendors.yaml` uses.
    public static let adapterName = "csv-mapping"

    let options: CSVMappingOptions
    /// Rules the minimal transform applies (identity, contact and purchase targets).
    private let minimalRules: [Int]
    private let layouts = LayoutCache<CSVMappingLayout>()

    /// Compiles `config.options`; throws a ``ConfigError`` pointing at the offending line.
    public init(config: VendorConfig) throws(ConfigError) {
        let options = try CSVMappingOptions(config: config)
        self.options = options
        minimalRules = options.rules.indices.filter { options.rules[$0].target.isMinimal }
    }

    /// Registers the adapter under ``adapterName``.
    public static func register(into registry: inout AdapterRegistry) {
        registry.register(adapterName) { config throws(ConfigError) in try CSVMappingAdapter(config: config) }
    }

    public func minimal(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        try draft(record, rules: minimalRules, complete: false)
    }

    public func enrich(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        try draft(record, rules: options.rules.indices, complete: true)
    }

    private func draft(
        _ record: VendorRecord, rules: some Sequence<Int>, complete: Bool
    ) throws(AdapterError) -> LeadDraft {
        let layout = layouts.layout(for: record.names) { CSVMappingLayout(names: $0, options: options) }
        var draft = LeadDraft()
        if complete { draft.fields.reserveCapacity(options.rules.count + layout.unmapped.count) }
        for i in rules {
            guard let position = layout.rulePositions[i] else { continue }
            let rule = options.rules[i]
            switch rule.apply(record.values[position]) {
            case .absent:
                continue
            case .value(let value):
                if let expectation = rule.store(value, in: &draft) {
                    Self.reject(record.values[position], rule, expectation, in: &draft)
                }
            case .invalid(let raw, let expectation):
                Self.reject(raw, rule, expectation, in: &draft)
            }
        }
        if !options.identity.isEmpty { draft.vendorLeadId = identity(record, layout) }
        if complete {
            for (position, name) in layout.unmapped where draft.fields[name] == nil {
                if let value = Self.kept(record.values[position]) { draft.fields[name] = value }
            }
        }
        if draft.vendorLeadId == nil, draft.phone == nil, draft.email == nil {
            var columns = options.identity
            columns += options.rules.filter {
                [.member(.vendorLeadId), .member(.phone), .member(.email)].contains($0.target)
            }.map(\.column)
            throw AdapterError(
                .noIdentity,
                "The record has no phone, email or vendor lead id (columns \(columns.joined(separator: ", "))).",
                fields: columns)
        }
        return draft
    }

    /// The identity columns' values joined by `|`; nil unless every one has a value,
    /// since a partial key could match another lead.
    private func identity(_ record: VendorRecord, _ layout: CSVMappingLayout) -> String? {
        var parts: [String] = []
        for position in layout.identityPositions {
            guard let position, let text = record.values[position].text.map(ValueParsing.trim), !text.isEmpty
            else { return nil }
            parts.append(text)
        }
        return parts.joined(separator: "|")
    }

    /// A failed value: left out of its target, its raw text kept in `fields` (under the
    /// target's name for a field, the column's for a lead member), and a warning.
    private static func reject(_ raw: JSONValue, _ rule: ColumnRule, _ expectation: String, in draft: inout LeadDraft) {
        let key: String
        if case .field(let name) = rule.target { key = name } else { key = rule.column }
        if draft.fields[key] == nil, let value = kept(raw) { draft.fields[key] = value }
        draft.warnings.append(
            LeadWarning(
                field: rule.target.description, code: .invalidValue,
                message:
                    "\(rule.target) (column '\(rule.column)') is not \(expectation); the raw value is kept in fields."
            ))
    }

    /// An unmapped value as kept in `fields`: trimmed text, other JSON as-is; nil when blank.
    package static func kept(_ raw: JSONValue) -> JSONValue? {
        switch raw {
        case .null: return nil
        case .string(let s):
            let t = ValueParsing.trim(s)
            return t.isEmpty ? nil : .string(t)
        default: return raw
        }
    }
}

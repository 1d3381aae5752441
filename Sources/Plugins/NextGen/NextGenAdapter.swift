public import Core
import Foundation

/// NextGen Leads: the purchases CSV export and the webhook, `adapter: nextgen`.
///
/// Both channels use the export's 42 column names (see `Docs/adapters.md`); webhook
/// aliases such as `zip_code` or `nextgen_id` are read when the export name is absent.
/// Premium listings (`product: ad`) are reported like any purchase; the core merges
/// them with the `data` purchase of the same `lead_id`.
///
/// ```swift
/// var registry = AdapterRegistry()
/// NextGenAdapter.register(into: &registry)
/// ```
///
/// Immutable after `init` and `Sendable`; one instance serves every thread.
public struct NextGenAdapter: VendorAdapter {
    /// The name `vendors.yaml` uses.
    public static let adapterName = "nextgen"

    /// Zone for `created_at` values without an offset (the vendor's `timezone:`, else UTC).
    let zone: ZoneOffsets
    let layouts = LayoutCache<NextGenLayout>()

    /// Builds the adapter; NextGen takes no `options`, and `timezone:` must be a known zone.
    public init(config: VendorConfig) throws(ConfigError) {
        let options = try config.optionsMap()
        try options.rejectUnknown(allowed: [])
        zone =
            if let name = config.timeZone {
                try ValueTransform.zoneOffsets(named: name, mark: config.mark, in: options)
            } else {
                .utc
            }
    }

    /// Registers the adapter under ``adapterName``.
    public static func register(into registry: inout AdapterRegistry) {
        registry.register(adapterName) { config throws(ConfigError) in try NextGenAdapter(config: config) }
    }

    /// Identity, contact and purchase values only: a dozen lookups, run before the reply.
    public func minimal(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        func text(_ c: NextGenColumn) -> String? {
            Self.text(record[c.rawValue]) ?? c.aliases.lazy.compactMap { Self.text(record[$0]) }.first
        }
        var d = LeadDraft(
            vendorLeadId: text(.leadId), purchaseId: text(.purchaseId), product: text(.product),
            firstName: text(.firstName), lastName: text(.lastName), email: text(.email), phone: text(.phone))
        if let price = text(.price) { read(price, .price, into: &d) }
        if let created = text(.createdAt) { read(created, .createdAt, into: &d) }
        try Self.requireIdentity(d)
        return d
    }

    /// Reads the two typed purchase values, with a warning when they do not parse.
    func read(_ text: String, _ column: NextGenColumn, into d: inout LeadDraft) {
        switch column {
        case .price:
            if let p = ValueParsing.decimal(text) {
                d.price = p
            } else {
                Self.reject(.string(text), column, "a price", in: &d)
            }
        case .createdAt:
            if let t = Timestamp.parse(text, zone: zone) {
                d.purchasedAt = t
            } else {
                Self.reject(.string(text), column, "an ISO 8601 timestamp", in: &d)
            }
        default:
            break
        }
    }

    /// A value as trimmed text; nil when absent, null, blank or structured.
    static func text(_ value: JSONValue?) -> String? {
        guard let raw = value?.text else { return nil }
        let t = ValueParsing.trim(raw)
        return t.isEmpty ? nil : t
    }

    static func requireIdentity(_ d: LeadDraft) throws(AdapterError) {
        guard d.vendorLeadId == nil, d.phone == nil, d.email == nil else { return }
        throw AdapterError(
            .noIdentity, "The record has no phone, email or lead_id.", fields: ["phone", "email", "lead_id"])
    }

    /// A value that failed its rule: kept raw in `fields` under the export name, with a
    /// warning that names the column and the rule, never the value.
    static func reject(_ raw: JSONValue, _ column: NextGenColumn, _ expectation: String, in d: inout LeadDraft) {
        d.fields[column.rawValue] = raw
        d.warnings.append(
            LeadWarning(
                field: column.rawValue, code: .invalidValue,
                message: "\(column.rawValue) is not \(expectation); the raw value is kept in fields."))
    }
}

/// The `options:` of a `json-mapping` vendor, validated and compiled (see `Docs/vendors.md`).
///
/// The same keys and meaning as `csv-mapping` (``CSVMappingOptions``, whose compiler
/// this reuses), with `fields:` in place of `columns:` and field paths in place of
/// column names:
///
/// ```yaml
/// options:
///   keep_unmapped: true
///   identity: [id]                  # or map one path to vendorLeadId
///   drop: [internal.notes]
///   fields:
///     contact.phones[0]: { to: phone, transform: phone }
///     address.state: { to: state, transform: state }
/// ```
package struct JSONMappingOptions: Sendable {
    /// Targets, transforms, `keep_unmapped`; each rule's `column` is its path as written.
    package let mapping: CSVMappingOptions
    /// The path of each rule, in rule order.
    package let rulePaths: [FieldPath]
    package let identityPaths: [FieldPath]
    /// What `keep_unmapped` leaves out: mapped, identity and dropped paths.
    package let consumed: ConsumedPaths

    package init(config: VendorConfig) throws(ConfigError) {
        mapping = try CSVMappingOptions(config: config, mappingKey: "fields", noun: "field")
        let options = try config.optionsMap()
        var rulePaths: [FieldPath] = []
        if let fields = try options.optionalMap("fields") {
            for member in fields.members {
                rulePaths.append(try Self.path(member.key, at: member.keyMark, in: options))
            }
        }
        var identityPaths: [FieldPath] = []
        for item in try options.optionalScalarList("identity") ?? [] {
            identityPaths.append(try Self.path(item.value, at: item.mark, in: options))
        }
        var dropPaths: [FieldPath] = []
        for item in try options.optionalScalarList("drop") ?? [] {
            dropPaths.append(try Self.path(item.value, at: item.mark, in: options))
        }
        self.rulePaths = rulePaths
        self.identityPaths = identityPaths
        consumed = ConsumedPaths(rulePaths + identityPaths + dropPaths)
    }

    private static func path(
        _ text: String, at mark: SourceMark, in options: ConfigMap
    ) throws(ConfigError)
        -> FieldPath
    {
        do {
            return try FieldPath(text)
        } catch {
            throw options.error(mark, "field path '\(text)' \(error.reason)")
        }
    }
}

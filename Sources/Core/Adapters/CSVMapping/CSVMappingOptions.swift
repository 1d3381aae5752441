import Foundation

/// The `options:` of a `csv-mapping` vendor, validated and compiled (see `Docs/vendors.md`).
///
/// ```yaml
/// options:
///   keep_unmapped: true
///   identity: [leadID]              # or map one column to vendorLeadId
///   drop: [internalNotes]
///   columns:
///     primaryPhone: phone
///     created: { to: purchasedAt, transform: { date: "MM-DD-YYYY HH:mm:ss" } }
/// ```
package struct CSVMappingOptions: Sendable {
    /// Columns not named in `columns`, `identity` or `drop` go to `fields` under their header.
    package var keepUnmapped: Bool
    /// Columns whose values, joined by `|`, make the vendor lead id.
    package var identity: [String]
    /// Columns never kept.
    package var drop: Set<String>
    /// In the order written; the first non-blank value for a target wins.
    package var rules: [ColumnRule]

    package static let keys = ["keep_unmapped", "identity", "drop", "columns"]

    /// Compiles `config.options`. `mappingKey` and `noun` let `json-mapping` share this
    /// code with its own spelling (`fields:`, "field 'contact.email'"); the rule
    /// columns are then JSON field paths, resolved by that adapter.
    package init(config: VendorConfig, mappingKey: String = "columns", noun: String = "column") throws(ConfigError) {
        let options = try config.optionsMap()
        try options.rejectUnknown(allowed: Self.keys.map { $0 == "columns" ? mappingKey : $0 })
        var zone = ZoneOffsets.utc
        if let name = config.timeZone {
            zone = try ValueTransform.zoneOffsets(named: name, mark: config.mark, in: options)
        }
        keepUnmapped = try options.optionalBool("keep_unmapped") ?? true
        identity = try options.optionalStrings("identity") ?? []
        drop = Set(try options.optionalStrings("drop") ?? [])
        rules = []
        if let columns = try options.optionalMap(mappingKey, context: "'\(mappingKey)' of vendor '\(config.key)'") {
            var seen: Set<String> = []
            for member in columns.members {
                guard seen.insert(member.key).inserted else {
                    throw columns.error(member.keyMark, "\(noun) '\(member.key)' is mapped twice")
                }
                rules.append(try Self.rule(member, in: columns, zone: zone, noun: noun))
            }
        }
        let feedsLeadId = rules.contains { $0.target == .member(.vendorLeadId) }
        if !identity.isEmpty, feedsLeadId {
            throw options.error(
                options.member("identity")?.keyMark,
                "'identity' and a column mapped to vendorLeadId both set the vendor lead id; keep one")
        }
        let identifies = rules.contains { [.member(.phone), .member(.email)].contains($0.target) }
        if identity.isEmpty, !feedsLeadId, !identifies {
            throw options.error(
                options.member(mappingKey)?.keyMark,
                "no \(noun) of vendor '\(config.key)' is mapped to phone, email or vendorLeadId, so no row could make a lead"
            )
        }
    }

    /// `column: target` or `column: { to: target, transform: … }`.
    private static func rule(
        _ member: YAMLMember, in columns: ConfigMap, zone: ZoneOffsets, noun: String
    ) throws(ConfigError)
        -> ColumnRule
    {
        let context = "\(noun) '\(member.key)'"
        let targetName: String
        let targetMark: SourceMark
        var transformNode: YAMLNode?
        switch member.value {
        case .scalar(let name, _, let mark):
            targetName = name
            targetMark = mark
        case .mapping:
            let spec = try ConfigMap(member.value, file: columns.file, context: context)
            try spec.rejectUnknown(allowed: ["to", "transform"])
            let to = spec.node("to")
            targetName = try spec.optionalString("to") ?? member.key
            targetMark = to?.mark ?? member.keyMark
            transformNode = spec.node("transform")
        case .sequence(_, let mark):
            throw columns.error(mark, "\(context) must name a target or be a mapping with 'to' and 'transform'")
        }
        let target = try Self.target(targetName, mark: targetMark, in: columns)
        var transforms: [ValueTransform] = []
        if let transformNode {
            let c = ValueTransform.CompileContext(
                map: columns, zone: zone, wantsInstant: target == .member(.purchasedAt), context: context)
            transforms = try ValueTransform.compileList(transformNode, c)
        }
        if case .member(let m) = target, let output = transforms.last?.output {
            let fits: Bool
            switch m.kind {
            case .text: fits = true
            case .decimal: fits = output == .decimal || output == .integer
            case .instant: fits = output == .instant || output == .date
            }
            if !fits {
                throw columns.error(
                    transformNode?.mark ?? targetMark,
                    "transform '\(transforms.last!.name)' of \(context) does not give a value \(m.rawValue) can hold")
            }
        }
        return ColumnRule(column: member.key, target: target, transforms: transforms, zone: zone)
    }

    /// A lead member by its exact name, else a `fields` name that is neither reserved nor
    /// a member's name in another case (`Phone` is a typo, not a new field).
    private static func target(
        _ name: String, mark: SourceMark, in columns: ConfigMap
    ) throws(ConfigError)
        -> MappingTarget
    {
        if let member = LeadMember(rawValue: name) { return .member(member) }
        guard !name.isEmpty else { throw columns.error(mark, "empty target name") }
        if LeadDraft.reservedNames.contains(where: { $0.lowercased() == name.lowercased() }) {
            throw columns.error(mark, "'\(name)' is set by Sluice itself and cannot be a mapping target")
        }
        if let member = LeadMember.allCases.first(where: { $0.rawValue.lowercased() == name.lowercased() }) {
            throw columns.error(mark, "unknown target '\(name)' (did you mean '\(member.rawValue)'?)")
        }
        return .field(name)
    }
}

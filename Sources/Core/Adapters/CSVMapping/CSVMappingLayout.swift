/// Where each rule's column sits in one file's header, resolved once per file.
///
/// CSV rows of one file share one ``FieldNames``, so the positions are worked out on
/// the first row and reused; JSON records each bring their own names and resolve anew.
package struct CSVMappingLayout: Sendable {
    package let names: FieldNames
    /// Position of each rule's column, in rule order; nil when the file lacks it.
    package let rulePositions: [Int?]
    package let identityPositions: [Int?]
    /// Positions of the columns kept in `fields` and the name each is kept under: the
    /// header, or `vendor_<header>` when the header is a name only Sluice may set.
    package let unmapped: [(position: Int, name: String)]

    package init(names: FieldNames, options: CSVMappingOptions) {
        self.names = names
        rulePositions = options.rules.map { names.index(of: $0.column) }
        identityPositions = options.identity.map { names.index(of: $0) }
        var consumed = Set(options.rules.map(\.column))
        consumed.formUnion(options.identity)
        consumed.formUnion(options.drop)
        var unmapped: [(Int, String)] = []
        if options.keepUnmapped {
            for (i, name) in names.names.enumerated() where !consumed.contains(name) && names.index(of: name) == i {
                unmapped.append((i, LeadDraft.reservedNames.contains(name) ? "vendor_" + name : name))
            }
        }
        self.unmapped = unmapped
    }
}

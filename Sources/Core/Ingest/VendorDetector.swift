/// Decides which vendor a CSV file (or each of its rows) belongs to.
///
/// A vendor matches a file when the header carries every one of its `csv.detect`
/// headers; extra columns never matter. When several vendors match (a user-merged
/// file with both vendors' columns side by side), each row goes to the one vendor
/// whose identifying columns it fills.
public struct VendorDetector: Sendable {
    public let vendors: [Vendor]

    /// - Parameters:
    ///   - catalog: the configured vendors; only those with a CSV channel take part.
    ///   - forced: a vendor key the user chose (`--vendor`, the upload's `vendor` field).
    public init(header: FieldNames, catalog: VendorCatalog, forced: String?) throws(ImportError) {
        if let forced {
            guard let vendor = catalog[forced] else {
                throw ImportError(.vendorUnknown, catalog.unknownVendorMessage(forced))
            }
            guard vendor.config.channels.contains(.csv) else {
                throw ImportError(.vendorUnknown, "vendor '\(forced)' does not take CSV files")
            }
            vendors = [vendor]
            return
        }
        let csvVendors = catalog.vendors.filter { $0.config.channels.contains(.csv) }
        let matching = csvVendors.filter { v in v.config.detectHeaders.allSatisfy(header.contains) }
        guard !matching.isEmpty else {
            let expectations = csvVendors.map { v in
                "\(v.key) expects \(v.config.detectHeaders.joined(separator: ", "))"
            }
            // Header names are the user's text: show a printable, shortened form only.
            let shown = header.names.prefix(12).map { name -> String in
                let printable = String(
                    name.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.map(Character.init))
                return printable.count > 40 ? String(printable.prefix(40)) + "…" : printable
            }
            let found = shown.joined(separator: ", ") + (header.count > 12 ? ", …" : "")
            throw ImportError(
                .vendorNotDetected,
                "could not tell the vendor of this file: \(expectations.joined(separator: "; ")); "
                    + "the file's headers are \(found)")
        }
        vendors = matching
    }

    /// Whether rows are assigned per row (several vendors' blocks in one file).
    public var isMixed: Bool { vendors.count > 1 }

    /// The vendor of one row, or a sentence saying why there is none.
    public func vendor(for record: VendorRecord) -> Result<Vendor, ImportError> {
        if vendors.count == 1 { return .success(vendors[0]) }
        let filled = vendors.filter { $0.adapter.hasData(record, columns: $0.config.detectHeaders) }
        switch filled.count {
        case 1: return .success(filled[0])
        case 0:
            return .failure(ImportError(.rowSkipped, "the row has no values in any vendor's identifying columns"))
        default:
            return .failure(
                ImportError(
                    .rowSkipped,
                    "the row fills the columns of several vendors (\(filled.map(\.key).joined(separator: ", ")))"))
        }
    }
}

/// Why an import, or one of its rows, failed.
public struct ImportError: Error, Sendable, CustomStringConvertible {
    public var code: Code
    public var message: String
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
    public var description: String { message }

    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let vendorUnknown = Code(rawValue: "vendor_unknown")
        public static let vendorNotDetected = Code(rawValue: "vendor_not_detected")
        /// The input is not a CSV file (binary, no header).
        public static let notCSV = Code(rawValue: "invalid_payload")
        public static let rowSkipped = Code(rawValue: "row_skipped")
        public static let io = Code(rawValue: "io_error")
    }
}

/// The vendors declared in `vendors.yaml`, validated, each with its adapter built.
///
/// The file's shape (version 1):
///
/// ```yaml
/// version: 1                  # required; only 1 is known
/// vendors:                    # required mapping: key → entry
///   nextgen:                  # key: ^[a-z][a-z0-9-]{0,31}$ (lead source, URL segment, --vendor)
///     name: NextGen Leads     # required display name
///     adapter: nextgen        # required; a name registered in the AdapterRegistry
///     channels: [webhook, csv]  # required, non-empty: webhook and/or csv
///     webhook:                # required iff channels has webhook
///       auth: api-key         # api-key | standard-webhooks
///     csv:                    # required iff channels has csv
///       detect: [purchase_id, lead_id, vertical_id]  # headers identifying the vendor's files
///     timezone: America/Chicago  # optional IANA zone
///     options: {}             # optional, adapter-specific, read by the adapter's factory
/// ```
///
/// Loading reports every mistake in the file at once, in line order, each pointing at
/// the place (`vendors.yaml:12:7: error: unknown adapter 'csv-maping' (did you mean
/// 'csv-mapping'?)`). Unknown keys at any of these levels are errors.
///
/// An immutable value, safe to share between threads.
///
/// ```swift
/// let catalog = try VendorCatalog.load(path: "vendors.yaml", registry: registry)
/// guard let vendor = catalog[key: "nextgen"] else { print(catalog.unknownVendorMessage("nextgen")) }
/// ```
public struct VendorCatalog: Sendable {
    /// The vendors in file order.
    public let vendors: [Vendor]
    private let index: [String: Int]

    /// A catalog of `vendors`; keys are expected to be unique (the loader guarantees it).
    /// When a key repeats, the first vendor with it wins lookups.
    public init(vendors: [Vendor]) {
        self.vendors = vendors
        var index: [String: Int] = [:]
        for (i, v) in vendors.enumerated() where index[v.key] == nil { index[v.key] = i }
        self.index = index
    }

    /// The vendor with `key`, or nil.
    public subscript(key key: String) -> Vendor? {
        index[key].map { vendors[$0] }
    }

    /// The vendor with `key`, or nil (same as ``subscript(key:)``).
    public subscript(_ key: String) -> Vendor? {
        self[key: key]
    }

    /// Vendor keys in file order.
    public var keys: [String] { vendors.map(\.key) }

    /// A sentence for a vendor key that is not in the catalog, for CLI and HTTP errors:
    /// "unknown vendor 'nextgn' (did you mean 'nextgen'?); known vendors: marketplace, nextgen".
    public func unknownVendorMessage(_ key: String) -> String {
        Suggest.unknownMessage("vendor", key, known: keys.sorted(), alwaysListKnown: true)
    }

    /// Whether `key` is a valid vendor key: `^[a-z][a-z0-9-]{0,31}$`.
    public static func isValidKey(_ key: String) -> Bool {
        let bytes = key.utf8
        guard let first = bytes.first, bytes.count <= 32, (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(first) else {
            return false
        }
        return bytes.allSatisfy { b in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(b) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b)
                || b == UInt8(ascii: "-")
        }
    }
}

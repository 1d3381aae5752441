/// Turns one vendor record into a lead, in two steps.
///
/// - ``minimal(_:)`` runs before the vendor gets its reply: identity and contact values
///   only, pure, no I/O, microseconds.
/// - ``enrich(_:)`` runs later from the stored record (a durable job): every value,
///   normalised. It must be deterministic: the same record always gives the same draft,
///   so re-running a job or re-importing a file changes nothing.
///
/// An adapter is an immutable value built once from its `vendors.yaml` entry by an
/// ``AdapterFactory``; it is shared by every thread, hence `Sendable`. It returns values
/// only: it cannot write storage, choose the tenant or broadcast — the core does those.
///
/// ```swift
/// struct AcmeAdapter: VendorAdapter {
///     func minimal(_ r: VendorRecord) throws(AdapterError) -> LeadDraft {
///         LeadDraft(vendorLeadId: r.string("id"), email: r.string("mail"), phone: r.string("tel"))
///     }
///     func enrich(_ r: VendorRecord) throws(AdapterError) -> LeadDraft {
///         var d = try minimal(r)
///         d.city = r.string("town")
///         return d
///     }
/// }
/// ```
public protocol VendorAdapter: Sendable {
    /// Identity and contact values of `record`. Throws only when the record cannot be
    /// read at all (the error names the field); a bad optional value is a warning instead.
    func minimal(_ record: VendorRecord) throws(AdapterError) -> LeadDraft

    /// Every value of `record`, normalised. Includes what ``minimal(_:)`` returns.
    func enrich(_ record: VendorRecord) throws(AdapterError) -> LeadDraft

    /// Whether `record` carries any data for this vendor. Used when one file holds
    /// several vendors' column blocks side by side and each row fills only one block.
    /// The default says yes when any of `columns` has a non-blank value.
    func hasData(_ record: VendorRecord, columns: [String]) -> Bool
}

extension VendorAdapter {
    public func hasData(_ record: VendorRecord, columns: [String]) -> Bool {
        columns.contains { record.string($0) != nil }
    }
}

/// Why an adapter could not make a lead of a record.
public struct AdapterError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    /// One sentence, safe to log: names fields, never their personal values.
    public var message: String
    /// The fields concerned.
    public var fields: [String]

    public init(_ code: Code, _ message: String, fields: [String] = []) {
        self.code = code
        self.message = message
        self.fields = fields
    }

    public var description: String { message }

    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Neither a usable phone nor an email (nor a vendor lead id) in the record.
        public static let noIdentity = Code(rawValue: "no_identity")
        /// The record's shape is not what the adapter reads (e.g. not an object).
        public static let invalidRecord = Code(rawValue: "invalid_record")
    }
}

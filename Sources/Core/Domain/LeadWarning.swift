/// A problem found while ingesting a lead that did not stop it from being stored.
///
/// Warnings are part of the stored lead (`warnings` in the API) so an agent or an
/// integrator can see what was left out and why. Messages never contain the value
/// itself when it may be personal data; they name the field and the rule.
public struct LeadWarning: Sendable, Hashable, Codable {
    /// The lead field or vendor column concerned (`phone`, `dob`, `height`, …).
    public var field: String
    /// A stable snake_case code, e.g. `invalid_phone`.
    public var code: Code
    /// One human sentence.
    public var message: String

    public init(field: String, code: Code, message: String) {
        self.field = field
        self.code = code
        self.message = message
    }

    /// An extensible set of warning codes: new codes never break callers.
    public struct Code: RawRepresentable, Sendable, Hashable, Codable, ExpressibleByStringLiteral {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { self.rawValue = value }
        public init(from decoder: any Decoder) throws {
            rawValue = try decoder.singleValueContainer().decode(String.self)
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(rawValue)
        }

        /// The vendor's phone value is not a phone number; kept raw in `fields`.
        public static let invalidPhone: Code = "invalid_phone"
        /// The vendor's email value is not an address; kept raw in `fields`.
        public static let invalidEmail: Code = "invalid_email"
        /// A value could not be read as the declared type (date, number, boolean…).
        public static let invalidValue: Code = "invalid_value"
        /// A purchase carried a phone or email other than the lead's own; kept in `fields`.
        public static let otherContact: Code = "other_contact"
        /// Phone and email pointed at two different leads; the stronger key won.
        public static let identityConflict: Code = "identity_conflict"
        /// The adapter tried to set a value only the core may set; it was ignored.
        public static let reservedField: Code = "reserved_field"
    }
}

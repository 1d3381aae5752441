import Testing

@testable import Core

@Suite struct IdentityNormalizerTests {
    @Test(arguments: [
        ("5552013344", "+15552013344"),
        ("(555) 201-3344", "+15552013344"),
        ("555.201.3344", "+15552013344"),
        ("1-555-201-3344", "+15552013344"),
        ("15552013344", "+15552013344"),
        ("+1 555 201 3344", "+15552013344"),
        (" 555 201 3344 ", "+15552013344"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+49 30 901820", "+4930901820"),
    ])
    func phonesBecomeE164(raw: String, expected: String) {
        #expect(IdentityNormalizer.phone(raw) == expected)
    }

    @Test(arguments: [
        "", "555-2013", "0552013344", "1552013344", "25552013344", "555-CALL-NOW", "5552013344 x12",
        "+1 555 201 33", "++15552013344", "555+2013344", "+0 123 456 789", "+1234567", "n/a",
    ])
    func nonPhonesAreRejected(raw: String) {
        #expect(IdentityNormalizer.phone(raw) == nil)
    }

    @Test(arguments: [
        (" Ann.Lee@Example.COM ", "ann.lee@example.com"),
        ("a@b.co", "a@b.co"),
    ])
    func emailsAreTrimmedAndLowerCased(raw: String, expected: String) {
        #expect(IdentityNormalizer.email(raw) == expected)
    }

    @Test(arguments: [
        "", "ann", "ann@", "@example.com", "ann@example", "ann lee@example.com", "a@b@c.com", "ann@example.",
    ])
    func nonEmailsAreRejected(raw: String) {
        #expect(IdentityNormalizer.email(raw) == nil)
    }

    @Test func vendorLeadIdKeepsCase() {
        #expect(IdentityNormalizer.vendorLeadId("  D-AB12-cd34 ") == "D-AB12-cd34")
        #expect(IdentityNormalizer.vendorLeadId("   ") == nil)
    }

    @Test func draftNormalisationKeepsBadPhoneInFieldsWithAWarning() {
        let n = NormalizedDraft(LeadDraft(email: " X@Y.COM", phone: "call me"))
        #expect(n.phone == nil)
        #expect(n.email == "x@y.com")
        #expect(n.draft.fields["phone"] == .string("call me"))
        #expect(n.draft.warnings.map(\.code) == [.invalidPhone])
        #expect(n.hasIdentity)
    }

    @Test func reservedNamesAreStrippedFromFields() {
        let n = NormalizedDraft(
            LeadDraft(phone: "5552013344", fields: ["tenantId": .string("tn_evil"), "city2": .string("x")]))
        #expect(n.draft.fields["tenantId"] == nil)
        #expect(n.draft.fields["city2"] == .string("x"))
        #expect(n.draft.warnings.map(\.code) == [.reservedField])
    }
}

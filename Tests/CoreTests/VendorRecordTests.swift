import Testing

@testable import Core

@Suite(.serialized) struct VendorRecordTests {
    /// Webhooks with the same members share one name list (the store then skips looking
    /// it up); other members get their own, in sorted order.
    @Test func objectsWithTheSameMembersShareTheirNames() {
        let a = VendorRecord(object: ["phone": .string("5552013344"), "email": .string("a@example.com")])
        let b = VendorRecord(object: ["email": .string("b@example.com"), "phone": .null])
        let c = VendorRecord(object: ["email": .string("c@example.com")])
        #expect(a.names === b.names)
        #expect(a.names.names == ["email", "phone"])
        #expect(a.names !== c.names)
        #expect(b.string("email") == "b@example.com" && b["phone"] == .null)
        #expect(c.names.names == ["email"])
    }

    /// The table of shared lists starts over when full instead of growing.
    @Test func theSharedTableIsBounded() {
        let first = FieldNames.shared(["bounded-0"])
        for i in 1...FieldNames.sharedLimit { _ = FieldNames.shared(["bounded-\(i)"]) }
        #expect(FieldNames.shared(["bounded-0"]) !== first)
    }

    @Test(arguments: [
        ("application/json", "json", true),
        ("Application/JSON; charset=utf-8", "json", true),
        ("application/vnd.api+Json", "JSON", true),
        ("text/plain", "json", false),
        ("js", "json", false),
        ("", "json", false),
        ("anything", "", true),
        ("APPLICATION/JSOñ", "json", false),
    ])
    func containsIgnoringASCIICase(_ text: String, _ needle: String, _ expected: Bool) {
        #expect(text.containsIgnoringASCIICase(needle) == expected)
    }
}

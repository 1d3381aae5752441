import Testing

@testable import Core

@Suite struct VendorRecordTests {
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

    /// A table gives one instance per list, and starts over when full instead of growing.
    @Test func aNamesTableSharesAndIsBounded() {
        let table = FieldNamesTable(limit: 2)
        let first = table.names(["a", "b"])
        #expect(table.names(["a", "b"]) === first)
        #expect(table.names(["b", "a"]) !== first)
        _ = table.names(["c"])  // the third list: the table starts over
        #expect(table.names(["a", "b"]) !== first)
        #expect(table.names(["a", "b"]).names == ["a", "b"])
    }
}

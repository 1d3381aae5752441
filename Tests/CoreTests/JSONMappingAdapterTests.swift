import Foundation
import Plugins
import Testing

@testable import Core

/// The shipped `vendors.yaml`, loaded with every adapter this build has.
private func shippedCatalog() throws -> VendorCatalog {
    var registry = AdapterRegistry()
    CSVMappingAdapter.register(into: &registry)
    JSONMappingAdapter.register(into: &registry)
    registerPlugins(into: &registry)
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    return try VendorCatalog.load(path: root.appendingPathComponent("vendors.yaml").path, registry: registry)
}

private func record(_ json: String) throws -> VendorRecord {
    guard case .object(let object) = try JSONValue.parse(json) else {
        throw AdapterError(.invalidRecord, "not an object")
    }
    return VendorRecord(object: object)
}

/// The sample delivery documented in Docs/vendors.md.
let leadhubSample = """
    {
      "id": "LH-20931",
      "event": "lead.created",
      "submitted_at": "2026-03-14T09:26:53-05:00",
      "price": 24.75,
      "product": "auto",
      "contact": {
        "first_name": "MARÍA",
        "last_name": "o'neil",
        "middle_name": "J",
        "email": " Maria.ONeil@Example.com ",
        "phones": ["(555) 123-4567", "555-987-6543"]
      },
      "address": { "street": "12 Elm St", "city": "Boston", "state": "ma", "zip": "02134" },
      "consent": { "trustedform_url": "https://cert.trustedform.com/abc123", "tcpa": true },
      "tags": ["hot", "spring"],
      "status": "sold"
    }
    """

@Suite("json-mapping adapter")
struct JSONMappingAdapterTests {
    @Test func leadhubGolden() throws {
        let vendor = try #require(try shippedCatalog()["leadhub"])
        #expect(vendor.config.adapter == "json-mapping")
        #expect(vendor.config.webhookAuth == .standardWebhooks)
        #expect(vendor.config.channels == [.webhook])
        let draft = try vendor.adapter.enrich(try record(leadhubSample))
        #expect(draft.vendorLeadId == "LH-20931")
        #expect(draft.purchasedAt == Date(timeIntervalSince1970: 1_773_498_413))
        #expect(draft.price == Decimal(string: "24.75"))
        #expect(draft.product == "auto")
        #expect(draft.firstName == "María")
        #expect(draft.lastName == "O'Neil")
        #expect(draft.email == "maria.oneil@example.com")
        #expect(draft.phone == "5551234567")
        #expect(draft.street1 == "12 Elm St")
        #expect(draft.city == "Boston")
        #expect(draft.state == "MA")
        #expect(draft.zipcode == "02134")
        #expect(draft.warnings.isEmpty)
        // Every value not mapped is kept, and none twice: the rest of `contact`,
        // `consent` and the second phone stay; `status` is the vendor's own.
        let expected: [String: JSONValue] = [
            "trusted_form_url": .string("https://cert.trustedform.com/abc123"),
            "event": .string("lead.created"),
            "contact": .object(["middle_name": .string("J"), "phones": .array([.string("555-987-6543")])]),
            "consent": .object(["tcpa": .bool(true)]),
            "tags": .array([.string("hot"), .string("spring")]),
            "status": .string("sold"),
        ]
        #expect(draft.fields == expected)
    }

    @Test func minimalHasOnlyIdentityContactAndPurchase() throws {
        let vendor = try #require(try shippedCatalog()["leadhub"])
        let draft = try vendor.adapter.minimal(try record(leadhubSample))
        #expect(draft.vendorLeadId == "LH-20931")
        #expect(draft.phone == "5551234567")
        #expect(draft.email == "maria.oneil@example.com")
        #expect(draft.price == Decimal(string: "24.75"))
        #expect(draft.zipcode == nil)
        #expect(draft.state == nil)
        #expect(draft.fields.isEmpty)
    }

    @Test(arguments: [
        (#""02134""#, "02134"), ("90210", "90210"), (#"" 00501 ""#, "00501"), (#""02134-1234""#, "02134-1234"),
    ])
    func zipIsTextWithLeadingZeros(json: String, zip: String) throws {
        let vendor = try #require(try shippedCatalog()["leadhub"])
        let draft = try vendor.adapter.enrich(try record(#"{"id": "1", "address": {"zip": \#(json)}}"#))
        #expect(draft.zipcode == zip)
    }

    @Test func missingAndMistypedPathsAreBlank() throws {
        let vendor = try #require(try shippedCatalog()["leadhub"])
        // `contact` is a string and `phones` is empty: nothing to read, nothing lost.
        let draft = try vendor.adapter.enrich(
            try record(#"{"id": 7, "contact": "n/a", "address": {"zip": null}, "phones": []}"#))
        #expect(draft.vendorLeadId == "7")
        #expect(draft.phone == nil)
        #expect(draft.zipcode == nil)
        #expect(draft.fields == ["contact": .string("n/a"), "phones": .array([])])
    }

    @Test func badValueIsKeptWithAWarning() throws {
        let vendor = try #require(try shippedCatalog()["leadhub"])
        let draft = try vendor.adapter.enrich(
            try record(#"{"id": "1", "price": "free", "contact": {"phones": [{"n": 1}]}}"#))
        #expect(draft.price == nil)
        #expect(draft.fields["price"] == .string("free"))
        #expect(draft.fields["contact.phones[0]"] == .object(["n": .number(1)]))
        #expect(draft.warnings.map(\.field).sorted() == ["phone", "price"])
        #expect(draft.warnings.allSatisfy { $0.message.contains("field '") })
    }

    @Test func noIdentityNamesThePaths() throws {
        let vendor = try #require(try shippedCatalog()["leadhub"])
        let body = try record(#"{"contact": {"first_name": "A"}}"#)
        do {
            _ = try vendor.adapter.minimal(body)
            Issue.record("made a lead without identity")
        } catch {
            #expect(error.code == .noIdentity)
            #expect(error.fields == ["id", "contact.email", "contact.phones[0]"])
        }
    }

    @Test func identityPathsQuotedNamesAndDrop() throws {
        let options: Y = [
            "identity": ["account.id", "meta[\"lead.ref\"]"],
            "drop": ["meta[\"secret\"]", "internal"],
            "fields": ["people[1].email": "email"],
        ]
        let adapter = try JSONMappingAdapter(config: jsonMappingConfig(options))
        let draft = try adapter.enrich(
            try record(
                #"{"account": {"id": "A1"}, "meta": {"lead.ref": "R9", "secret": "x", "other": 1}, "internal": 5, "#
                    + #""people": [{"email": "a@x.com"}, {"email": "b@x.com"}]}"#))
        #expect(draft.vendorLeadId == "A1|R9")
        #expect(draft.email == "b@x.com")
        #expect(
            draft.fields == [
                "meta": .object(["other": .number(1)]), "people": .array([.object(["email": .string("a@x.com")])]),
            ])
        // A partial key is no key.
        let partial = try adapter.enrich(
            try record(#"{"account": {"id": "A1"}, "people": [{}, {"email": "b@x.com"}]}"#))
        #expect(partial.vendorLeadId == nil)
    }

    @Test func reservedTopLevelNamesArePrefixed() throws {
        let vendor = try #require(try shippedCatalog()["leadhub"])
        let draft = try vendor.adapter.enrich(try record(#"{"id": "1", "tenantId": "t-9", "phone": "x"}"#))
        #expect(draft.fields == ["vendor_tenantId": .string("t-9"), "phone": .string("x")])
    }

    @Test func keepUnmappedOff() throws {
        let options: Y = ["keep_unmapped": "false", "fields": ["a.b": "phone"]]
        let adapter = try JSONMappingAdapter(config: jsonMappingConfig(options))
        let draft = try adapter.enrich(try record(#"{"a": {"b": "5551234567", "c": 1}, "d": 2}"#))
        #expect(draft.phone == "5551234567")
        #expect(draft.fields.isEmpty)
    }

    @Test(arguments: [
        ("a.b", [FieldPath.Step.member("a"), .member("b")]),
        ("contact.phones[0]", [.member("contact"), .member("phones"), .index(0)]),
        ("m[\"odd key.x\"][12].z", [.member("m"), .member("odd key.x"), .index(12), .member("z")]),
        ("[\"a.b\"]", [.member("a.b")]),
        ("plain", [.member("plain")]),
    ])
    func pathsParse(text: String, steps: [FieldPath.Step]) throws {
        #expect(try FieldPath(text).steps == steps)
    }
}

/// A json-mapping vendor with these options.
func jsonMappingConfig(_ options: Y) -> VendorConfig {
    VendorConfig(
        key: "acme", name: "Acme", adapter: "json-mapping", channels: [.webhook], webhookAuth: .standardWebhooks,
        options: options.node)
}

@Suite("json-mapping configuration errors")
struct JSONMappingConfigTests {
    private func error(_ options: Y) -> String? {
        do {
            _ = try JSONMappingAdapter(config: jsonMappingConfig(options))
            return nil
        } catch {
            return error.description
        }
    }

    @Test(arguments: [
        ("a..b", "field path 'a..b' has an empty name after '.'"),
        ("a[x]", "field path 'a[x]' has a '[' that is not followed by an index and ']' (write [0] or [\"name\"])"),
        ("a[0", "field path 'a[0' has a '[' that is not followed by an index and ']' (write [0] or [\"name\"])"),
        ("a[0]b", "field path 'a[0]b' has text right after ']' (use '.' before a name)"),
        ("[0].a", "field path '[0].a' must start with the name of a top-level member"),
        ("a[\"b]", "field path 'a[\"b]' has a quoted name without its closing '\"]'"),
        (".a", "field path '.a' must start with the name of a top-level member"),
    ])
    func badPathPointsAtItsKey(path: String, message: String) {
        let options = Y.mapping(
            member("fields", at: 3, 5, Y.mapping(member("id", at: 4, 7, "vendorLeadId"), member(path, at: 5, 7, "x"))))
        #expect(error(options) == "vendors.yaml:5:7: error: \(message)")
    }

    @Test func badIdentityPathPointsAtTheItem() {
        let options: Y = [
            "identity": Y(.sequence([Y.at(6, 16, "a..b").node], mark: SourceMark(line: 6, column: 15)))
        ]
        #expect(error(options) == "vendors.yaml:6:16: error: field path 'a..b' has an empty name after '.'")
    }

    @Test func unknownTransformSuggests() {
        let options: Y = ["fields": ["contact.email": ["to": "email", "transform": .at(9, 20, "emal")]]]
        #expect(
            error(options)
                == "vendors.yaml:9:20: error: unknown transform 'emal' in field 'contact.email' (did you mean 'email'?)"
        )
    }

    @Test func unknownKeySuggestsFields() {
        let options = Y.mapping(member("feilds", at: 2, 5, ["id": "vendorLeadId"]))
        #expect(error(options)?.hasPrefix("vendors.yaml:2:5: error: unknown key 'feilds'") == true)
        #expect(error(options)?.contains("did you mean 'fields'?") == true)
        // `columns` is csv-mapping's spelling, not this adapter's.
        let columns = Y.mapping(member("columns", at: 2, 5, ["id": "vendorLeadId"]))
        #expect(error(columns)?.contains("unknown key 'columns'") == true)
    }

    @Test func targetTypoAndReservedName() {
        #expect(
            error(["fields": ["contact.phone": .at(4, 22, "Phone")]])
                == "vendors.yaml:4:22: error: unknown target 'Phone' (did you mean 'phone'?)")
        #expect(
            error(["fields": ["id": "vendorLeadId", "x.y": .at(5, 12, "tenantId")]])
                == "vendors.yaml:5:12: error: 'tenantId' is set by Sluice itself and cannot be a mapping target")
    }

    @Test func noIdentityMapping() {
        let options = Y.mapping(member("fields", at: 3, 5, ["contact.first_name": "firstName"]))
        #expect(
            error(options)
                == "vendors.yaml:3:5: error: no field of vendor 'acme' is mapped to phone, email or vendorLeadId, so no row could make a lead"
        )
    }

    @Test func typedTransformMustFitTheTarget() {
        let options: Y = [
            "fields": ["id": "vendorLeadId", "price": ["to": "price", "transform": .at(7, 30, "boolean")]]
        ]
        #expect(error(options)?.hasPrefix("vendors.yaml:7:30: error: transform 'boolean' of field 'price'") == true)
    }
}

import Foundation
import Testing

@testable import Core

/// The Marketplace options exactly as in the repository's `vendors.yaml`. Once the
/// YAML loader is in, this test should load `vendors.yaml` itself instead.
let marketplaceOptions: Y = [
    "keep_unmapped": "true",
    "columns": [
        "leadID": "vendorLeadId",
        "created": ["to": "purchasedAt", "transform": ["date": "MM-DD-YYYY HH:mm:ss"]],
        "email": ["to": "email", "transform": "email"],
        "primaryPhone": ["to": "phone", "transform": "phone"],
        "firstName": "firstName",
        "lastName": "lastName",
        "dateOfBirth": ["to": "dob", "transform": ["date": "MM-DD-YYYY"]],
        "addressOne": "street1",
        "addressTwo": "street_2",
        "addressThree": "street_3",
        "city": "city",
        "state": ["to": "state", "transform": "state"],
        "postalCode": "zipcode",
        "income": ["to": "household_income", "transform": "integer"],
        "age": ["to": "age", "transform": "integer"],
        "household": ["to": "household_size", "transform": "integer"],
        "gender": ["to": "gender", "transform": "gender"],
        "trustedFormCertID": "trusted_form_cert_id",
        "jornayaLeadID": "jornaya_lead_id",
        "crmLastCallUsername": "crm_last_call_username",
        "crmLastOfCallHistoryNameLastFirst": "crm_last_call_name",
        "campaignName": "campaign_name",
    ],
]

/// The 22 columns of a Marketplace lead report, in export order.
let marketplaceHeader = FieldNames([
    "leadID", "created", "email", "primaryPhone", "firstName", "lastName", "dateOfBirth", "addressOne",
    "addressTwo", "addressThree", "city", "state", "postalCode", "income", "age", "household", "gender",
    "trustedFormCertID", "jornayaLeadID", "crmLastCallUsername", "crmLastOfCallHistoryNameLastFirst", "campaignName",
])

/// A synthetic Marketplace row (invented values) with `changes` applied by header name.
func marketplaceRow(_ changes: [String: String] = [:]) -> VendorRecord {
    var cells: [String: String] = [
        "leadID": "3f1c2a9e-8b7d-4c6e-9a51-0d2e4f6a8b10", "created": "05-03-2025 14:07:09 ",
        "email": "jane.roe@example.com", "primaryPhone": "5550142233", "firstName": "Jane", "lastName": "Roe",
        "dateOfBirth": "07-04-1975", "addressOne": "12 Elm Street", "addressTwo": "", "addressThree": "",
        "city": "SPRINGFIELD", "state": "IL", "postalCode": "02134", "income": "52000", "age": "49",
        "household": "3", "gender": "female", "trustedFormCertID": "0123456789abcdef0123456789abcdef01234567",
        "jornayaLeadID": "A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF", "crmLastCallUsername": "agent@example.com",
        "crmLastOfCallHistoryNameLastFirst": "Agent,  Alex", "campaignName": "Spring Health Push  ",
    ]
    for (k, v) in changes { cells[k] = v }
    return VendorRecord(names: marketplaceHeader, values: marketplaceHeader.names.map { .string(cells[$0]!) })
}

@Suite("csv-mapping adapter")
struct CSVMappingAdapterTests {
    let marketplace: CSVMappingAdapter

    init() throws {
        marketplace = try CSVMappingAdapter(
            config: VendorConfig(
                key: "marketplace", name: "Marketplace", adapter: "csv-mapping", channels: [.csv],
                detectHeaders: ["leadID", "primaryPhone"], timeZone: "America/New_York",
                options: marketplaceOptions.node))
    }

    @Test func marketplaceRowEnriched() throws {
        let draft = try marketplace.enrich(marketplaceRow())
        let expected = LeadDraft(
            vendorLeadId: "3f1c2a9e-8b7d-4c6e-9a51-0d2e4f6a8b10",
            // 14:07:09 in New York in May is EDT (UTC−4).
            purchasedAt: Date(timeIntervalSince1970: 1_746_295_629),
            firstName: "Jane", lastName: "Roe", email: "jane.roe@example.com", phone: "5550142233",
            street1: "12 Elm Street", city: "SPRINGFIELD", state: "IL", zipcode: "02134", dob: "1975-07-04",
            gender: "Female",
            fields: [
                "household_income": .number(52000), "age": .number(49), "household_size": .number(3),
                "trusted_form_cert_id": .string("0123456789abcdef0123456789abcdef01234567"),
                "jornaya_lead_id": .string("A1B2C3D4-E5F6-4711-8899-AABBCCDDEEFF"),
                "crm_last_call_username": .string("agent@example.com"),
                "crm_last_call_name": .string("Agent,  Alex"), "campaign_name": .string("Spring Health Push"),
            ])
        #expect(draft == expected)
    }

    @Test func minimalKeepsToIdentityAndContact() throws {
        let draft = try marketplace.minimal(marketplaceRow())
        let expected = LeadDraft(
            vendorLeadId: "3f1c2a9e-8b7d-4c6e-9a51-0d2e4f6a8b10",
            purchasedAt: Date(timeIntervalSince1970: 1_746_295_629),
            firstName: "Jane", lastName: "Roe", email: "jane.roe@example.com", phone: "5550142233")
        #expect(draft == expected)
    }

    @Test(arguments: [
        ("M", "Male"), ("F", "Female"), ("male", "Male"), ("female", "Female"), ("Male", "Male"), ("Female", "Female"),
    ])
    func marketplaceGenders(text: String, expected: String) throws {
        #expect(try marketplace.enrich(marketplaceRow(["gender": text])).gender == expected)
    }

    @Test func blankGenderIsAbsentWithoutWarning() throws {
        let draft = try marketplace.enrich(marketplaceRow(["gender": ""]))
        #expect(draft.gender == nil)
        #expect(draft.warnings.isEmpty)
        #expect(draft.fields["gender"] == nil)
    }

    @Test func winterTimeIsEasternStandard() throws {
        let draft = try marketplace.minimal(marketplaceRow(["created": "01-03-2025 09:07:09 "]))
        #expect(draft.purchasedAt == Date(timeIntervalSince1970: 1_735_913_229))
    }

    @Test func badValuesBecomeWarningsAndRawFields() throws {
        let draft = try marketplace.enrich(
            marketplaceRow(["dateOfBirth": "13-45-1975", "income": "lots", "created": "yesterday", "state": "Nowhere"]))
        #expect(draft.dob == nil)
        #expect(draft.purchasedAt == nil)
        #expect(draft.state == nil)
        #expect(draft.fields["dateOfBirth"] == .string("13-45-1975"))
        #expect(draft.fields["created"] == .string("yesterday"))
        #expect(draft.fields["state"] == .string("Nowhere"))
        #expect(draft.fields["household_income"] == .string("lots"))
        #expect(Set(draft.warnings.map(\.field)) == ["dob", "purchasedAt", "household_income", "state"])
        #expect(draft.warnings.allSatisfy { $0.code == .invalidValue })
        let dob = try #require(draft.warnings.first { $0.field == "dob" })
        #expect(
            dob.message
                == "dob (column 'dateOfBirth') is not a date in the format MM-DD-YYYY; the raw value is kept in fields."
        )
        // Warnings name the rule, never the value.
        #expect(!draft.warnings.contains { $0.message.contains("13-45") || $0.message.contains("lots") })
    }

    @Test func noIdentityThrows() {
        #expect(throws: AdapterError.self) {
            try marketplace.minimal(marketplaceRow(["leadID": "", "email": " ", "primaryPhone": ""]))
        }
        let error = #expect(throws: AdapterError.self) {
            try marketplace.enrich(marketplaceRow(["leadID": "", "email": "", "primaryPhone": ""]))
        }
        #expect(error?.code == .noIdentity)
        #expect(error?.fields == ["leadID", "email", "primaryPhone"])
    }

    @Test func phoneOnlyIsEnough() throws {
        let draft = try marketplace.minimal(
            marketplaceRow(["leadID": "", "email": "", "primaryPhone": "(555) 014-2233"]))
        #expect(draft.phone == "5550142233")
        #expect(draft.vendorLeadId == nil)
    }

    @Test func unmappedColumnsAreKept() throws {
        let names = FieldNames(["tel", "Notes", "source", "blank", "skip"])
        let adapter = try CSVMappingAdapter(config: csvMappingConfig(["drop": ["skip"], "columns": ["tel": "phone"]]))
        let draft = try adapter.enrich(
            VendorRecord(
                names: names,
                values: [.string("5550001111"), .string(" hi "), .string("fb"), .string(""), .string("x")]))
        // A header only Sluice may set is kept under a prefixed name rather than dropped.
        #expect(draft.fields == ["Notes": .string("hi"), "vendor_source": .string("fb")])
        #expect(
            try adapter.minimal(VendorRecord(names: names, values: names.names.map { _ in .string("5550001111") }))
                .fields == [:])
    }

    @Test func keepUnmappedFalse() throws {
        let adapter = try CSVMappingAdapter(
            config: csvMappingConfig(["keep_unmapped": "false", "columns": ["tel": "phone"]]))
        let draft = try adapter.enrich(VendorRecord(object: ["tel": .string("5550001111"), "other": .string("x")]))
        #expect(draft.fields.isEmpty)
    }

    @Test func compositeIdentity() throws {
        let adapter = try CSVMappingAdapter(
            config: csvMappingConfig(["identity": ["batch", "row"], "columns": ["batch": "batch"]]))
        let names = FieldNames(["batch", "row", "city"])
        let draft = try adapter.enrich(
            VendorRecord(names: names, values: [.string("B7"), .string(" 12 "), .string("Austin")]))
        #expect(draft.vendorLeadId == "B7|12")
        #expect(draft.fields == ["batch": .string("B7"), "city": .string("Austin")])
        #expect(throws: AdapterError.self) {
            try adapter.minimal(VendorRecord(names: names, values: [.string("B7"), .string(""), .string("Austin")]))
        }
    }

    @Test func transformChains() throws {
        let options: Y = [
            "columns": [
                "mail": ["to": "email", "transform": "email"],
                "sex": [
                    "to": "gender",
                    "transform": ["lower", ["map": ["m": "Male", "f": "Female"], "default": "Other"]],
                ],
                "tier": ["transform": [["default": "basic"], "upper"]],
                "name": ["to": "name", "transform": "title"],
                "smoker": ["transform": "boolean"],
                "cost": ["to": "price", "transform": "decimal"],
                "fee": "price",
                "seen": ["to": "seen_at", "transform": ["date": "MM/DD/YYYY hh:mm A", "zone": "UTC"]],
                "conditions": ["transform": "list"],
                "talk": ["to": "call_seconds", "transform": "duration"],
                "when": ["to": "purchasedAt"],
            ]
        ]
        let adapter = try CSVMappingAdapter(config: csvMappingConfig(options))
        let draft = try adapter.enrich(
            VendorRecord(object: [
                "mail": .string(" Jane@Example.COM "), "sex": .string("X"), "tier": .string(""),
                "name": .string("jANE roe"),
                "smoker": .string("Yes"), "cost": .string(""), "fee": .number(12.5),
                "seen": .string("05/03/2025 2:07 PM"), "conditions": .string("[\"asthma\"]"), "talk": .string("1m 05s"),
                "when": .string("2025-05-03T14:07:09Z"),
            ]))
        #expect(draft.email == "jane@example.com")
        #expect(draft.gender == "Other")
        #expect(draft.name == "Jane Roe")
        #expect(draft.price == Decimal(string: "12.5"))
        #expect(draft.purchasedAt == Date(timeIntervalSince1970: 1_746_281_229))
        #expect(
            draft.fields == [
                "tier": .string("BASIC"), "smoker": .bool(true), "seen_at": .string("2025-05-03T14:07:00Z"),
                "conditions": .array([.string("asthma")]), "call_seconds": .number(65),
            ])
        #expect(draft.warnings.isEmpty)
    }

    @Test func structuredJSONPassesThroughToAField() throws {
        let adapter = try CSVMappingAdapter(
            config: csvMappingConfig(["columns": ["tel": "phone", "meta": "meta", "tags": ["transform": "upper"]]]))
        let draft = try adapter.enrich(
            VendorRecord(object: [
                "tel": .number(5_550_001_111), "meta": .object(["a": .bool(true)]), "tags": .array([.string("x")]),
            ]))
        #expect(draft.phone == "5550001111")
        #expect(draft.fields["meta"] == .object(["a": .bool(true)]))
        #expect(draft.fields["tags"] == .array([.string("x")]))
        #expect(draft.warnings.map(\.field) == ["tags"])
    }

    @Test func firstNonBlankColumnWins() throws {
        let adapter = try CSVMappingAdapter(
            config: csvMappingConfig(["columns": ["zipcode": "zipcode", "zip": "zipcode", "tel": "phone"]]))
        let names = FieldNames(["tel", "zip", "zipcode"])
        #expect(
            try adapter.enrich(VendorRecord(names: names, values: [.string("1"), .string("02134"), .string("")]))
                .zipcode == "02134")
        #expect(
            try adapter.enrich(VendorRecord(names: names, values: [.string("1"), .string("02134"), .string("60601")]))
                .zipcode == "60601")
    }

    @Test func filesWithDifferentHeadersShareOneAdapter() throws {
        let a = FieldNames(["primaryPhone", "city"])
        let b = FieldNames(["city", "primaryPhone"])
        for _ in 0..<3 {
            #expect(
                try marketplace.enrich(VendorRecord(names: a, values: [.string("5550001111"), .string("Austin")])).city
                    == "Austin")
            #expect(
                try marketplace.enrich(VendorRecord(names: b, values: [.string("Boston"), .string("5550001111")])).city
                    == "Boston")
        }
    }

    @Test func enrichIsDeterministic() throws {
        let row = marketplaceRow(["income": "bad"])
        #expect(try marketplace.enrich(row) == marketplace.enrich(row))
    }
}

import Foundation
import Testing

@testable import Core
@testable import Plugins

/// The 42 export columns in order, plus the column NextGen added in July 2025.
let nextGenHeader = FieldNames([
    "created_at", "purchase_id", "product", "lead_id", "vendor_id", "vendor_name", "vertical_id", "account_id",
    "account_name", "campaign_id", "campaign_name", "bid_type", "first_name", "last_name", "phone", "street_1",
    "street_2", "email", "city", "state", "zipcode", "dob", "gender", "height", "household_size", "household_income",
    "weight", "military", "pregnant", "tobacco_user", "has_prescription", "has_medicare_parts_a_b",
    "has_medical_condition", "medical_conditions", "insurance_timeframe", "price", "status", "disposition",
    "call_log_id", "call_duration", "source_hash", "data_source_hash", "sub_id_hash",
])

/// A synthetic export row (invented values, no real person) with `changes` applied.
func nextGenRow(_ changes: [String: String] = [:]) -> VendorRecord {
    var cells: [String: String] = [
        "created_at": "2025-05-02T15:04:05.678Z", "purchase_id": "01JTB00000000000000000DATA", "product": "data",
        "lead_id": "D-AB12-CD34", "vendor_id": "example-vendor", "vendor_name": "Example Vendor",
        "vertical_id": "health_insurance", "account_id": "ABC-123-456", "account_name": "Test Buyer",
        "campaign_id": "01JTB0000000000000000CAMPN", "campaign_name": "Spring Health 🌷  ", "bid_type": "exclusive",
        "first_name": "Jane", "last_name": "Van Roe", "phone": "5550142233", "street_1": "12 Elm Street",
        "street_2": "", "email": "jane.roe@example.com", "city": "Austin", "state": "TX", "zipcode": "78701",
        "dob": "1975-07-04", "gender": "female", "height": "70", "household_size": "3", "household_income": "999999",
        "weight": "165", "military": "false", "pregnant": "false", "tobacco_user": "true", "has_prescription": "true",
        "has_medicare_parts_a_b": "", "has_medical_condition": "false", "medical_conditions": "[]",
        "insurance_timeframe": "In the next 30 days", "price": "37.5", "status": "complete",
        "disposition": "Attempting Contact", "call_log_id": "", "call_duration": "1m 05s", "source_hash": "aB3dE",
        "data_source_hash": "Qr7sT", "sub_id_hash": "Xy9Zq1",
    ]
    for (k, v) in changes { cells[k] = v }
    return VendorRecord(names: nextGenHeader, values: nextGenHeader.names.map { .string(cells[$0]!) })
}

/// The same lead as a webhook body: §5.1 alias names, JSON types, other spellings.
let nextGenWebhook: [String: JSONValue] = [
    "created": .string("2025-05-02T10:04:05.678-05:00"), "purchase_id": .string("01JTB00000000000000000DATA"),
    "product": .string("data"), "nextgen_id": .string("D-AB12-CD34"), "vendor_id": .string("example-vendor"),
    "vendor_name": .string("Example Vendor"), "vertical_id": .string("health_insurance"),
    "account_id": .string("ABC-123-456"), "account_name": .string("Test Buyer"),
    "campaign_id": .string("01JTB0000000000000000CAMPN"), "campaign_name": .string("Spring Health 🌷"),
    "bid_type": .string("exclusive"), "first_name": .string("Jane"), "last_name": .string("Van Roe"),
    "phone_number": .string("5550142233"), "street_address": .string("12 Elm Street "), "street_2": .null,
    "email": .string("jane.roe@example.com"), "city": .string("Austin "), "state": .string("tx"),
    "zip_code": .string("78701 "), "date_of_birth": .string("07/04/1975"), "gender": .string("F"),
    "height": .string("5'10\""), "household_size": .number(3), "household_income": .string("999999"),
    "weight": .number(165), "military": .bool(false), "pregnant": .string("no"), "tobacco_user": .string("true"),
    "has_prescription": .number(1), "has_medicare_parts_ab": .null, "has_medical_condition": .bool(false),
    "medical_conditions": .array([]), "insurance_timeframe": .string("In the next 30 days"),
    "price": .string("$37.50"), "status": .string("complete"), "disposition": .string("Attempting Contact"),
    "call_log_id": .null, "call_duration": .string("65"), "source_hash": .string("aB3dE"),
    "data_source_hash": .string("Qr7sT"), "sub_id_hash": .string("Xy9Zq1"),
]

func nextGen(timeZone: String? = nil) throws -> NextGenAdapter {
    try NextGenAdapter(
        config: VendorConfig(
            key: "nextgen", name: "NextGen", adapter: "nextgen", channels: [.webhook, .csv], timeZone: timeZone))
}

/// A draft member or `fields` entry by name, as JSON, for table-driven checks.
func probe(_ d: LeadDraft, _ name: String) -> JSONValue? {
    let text: String?
    switch name {
    case "vendorLeadId": text = d.vendorLeadId
    case "purchaseId": text = d.purchaseId
    case "product": text = d.product
    case "price": text = d.price.map { "\($0)" }
    case "purchasedAt": text = d.purchasedAt.map(Timestamp.format)
    case "firstName": text = d.firstName
    case "lastName": text = d.lastName
    case "email": text = d.email
    case "phone": text = d.phone
    case "street1": text = d.street1
    case "city": text = d.city
    case "state": text = d.state
    case "zipcode": text = d.zipcode
    case "dob": text = d.dob
    case "gender": text = d.gender
    default: return d.fields[name]
    }
    return text.map(JSONValue.string)
}

@Suite("NextGen adapter")
struct NextGenAdapterTests {
    @Test func exportRowEnriched() throws {
        let draft = try nextGen().enrich(nextGenRow())
        let expected = LeadDraft(
            vendorLeadId: "D-AB12-CD34", purchaseId: "01JTB00000000000000000DATA", product: "data",
            price: Decimal(string: "37.5"), purchasedAt: Date(timeIntervalSince1970: 1_746_198_245.678),
            firstName: "Jane", lastName: "Van Roe", email: "jane.roe@example.com", phone: "5550142233",
            street1: "12 Elm Street", city: "Austin", state: "TX", zipcode: "78701", dob: "1975-07-04",
            gender: "Female",
            fields: [
                "vendor_id": .string("example-vendor"), "vendor_name": .string("Example Vendor"),
                "vertical_id": .string("health_insurance"), "account_id": .string("ABC-123-456"),
                "account_name": .string("Test Buyer"), "campaign_id": .string("01JTB0000000000000000CAMPN"),
                "campaign_name": .string("Spring Health 🌷"), "bid_type": .string("exclusive"),
                "height": .string("5'10\""), "household_size": .number(3), "household_income": .number(999_999),
                "weight": .number(165), "military": .bool(false), "pregnant": .bool(false), "tobacco_user": .bool(true),
                "has_prescription": .bool(true), "has_medical_condition": .bool(false),
                "medical_conditions": .array([]),
                "insurance_timeframe": .string("In the next 30 days"), "status": .string("complete"),
                "disposition": .string("Attempting Contact"), "call_duration": .number(65),
                "source_hash": .string("aB3dE"), "data_source_hash": .string("Qr7sT"), "sub_id_hash": .string("Xy9Zq1"),
            ])
        #expect(draft == expected)
    }

    @Test func webhookAndExportAgree() throws {
        let adapter = try nextGen()
        let fromCSV = try adapter.enrich(nextGenRow())
        let fromWebhook = try adapter.enrich(VendorRecord(object: nextGenWebhook))
        #expect(fromWebhook == fromCSV)
        #expect(try adapter.minimal(VendorRecord(object: nextGenWebhook)) == adapter.minimal(nextGenRow()))
    }

    @Test func premiumListingRow() throws {
        let draft = try nextGen().enrich(
            nextGenRow([
                "product": "ad", "price": "5", "purchase_id": "01JTB000000000000000000AD1",
                "created_at": "2025-05-02T15:04:06.900Z", "disposition": "",
            ]))
        #expect(draft.product == "ad")
        #expect(draft.price == 5)
        #expect(draft.purchaseId == "01JTB000000000000000000AD1")
        #expect(draft.vendorLeadId == "D-AB12-CD34")
        #expect(draft.phone == "5550142233")
        #expect(draft.fields["disposition"] == nil)
        #expect(draft.warnings.isEmpty)
    }

    @Test func minimalReadsOnlyIdentityContactAndPurchase() throws {
        let draft = try nextGen().minimal(nextGenRow())
        let expected = LeadDraft(
            vendorLeadId: "D-AB12-CD34", purchaseId: "01JTB00000000000000000DATA", product: "data",
            price: Decimal(string: "37.5"), purchasedAt: Date(timeIntervalSince1970: 1_746_198_245.678),
            firstName: "Jane", lastName: "Van Roe", email: "jane.roe@example.com", phone: "5550142233")
        #expect(draft == expected)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var key: String
        var value: JSONValue
        var probe: String
        var expected: JSONValue?
        var testDescription: String { "\(key)=\(value) → \(probe)" }
        init(_ key: String, _ value: JSONValue, _ probe: String, _ expected: JSONValue?) {
            self.key = key
            self.value = value
            self.probe = probe
            self.expected = expected
        }
        init(_ key: String, _ value: JSONValue, _ expected: JSONValue?) {
            self.init(key, value, key, expected)
        }
    }

    @Test(arguments: [
        Case("price", .number(45), "price", .string("45")),
        Case("price", .string("$1,045.50"), "price", .string("1045.5")),
        Case("price", .string(" 13.5 "), "price", .string("13.5")),
        Case("tobacco_user", .bool(true), .bool(true)),
        Case("tobacco_user", .string("true"), .bool(true)),
        Case("tobacco_user", .string("Yes"), .bool(true)),
        Case("tobacco_user", .number(1), .bool(true)),
        Case("tobacco_user", .number(0), .bool(false)),
        Case("has_medicare_parts_ab", .bool(true), "has_medicare_parts_a_b", .bool(true)),
        Case("household_size", .number(2), .number(2)),
        Case("household_size", .string("2"), .number(2)),
        Case("household_income", .string("45,000"), .number(45000)),
        Case("email", .null, nil),
        Case("email", .string("  "), nil),
        Case(
            "medical_conditions", .array([.string("asthma"), .string(" copd ")]),
            .array([.string("asthma"), .string("copd")])),
        Case("medical_conditions", .string("[\"asthma\"]"), .array([.string("asthma")])),
        Case("medical_conditions", .string("asthma, copd"), .array([.string("asthma"), .string("copd")])),
        Case("medical_conditions", .string("[]"), .array([])),
        Case("state", .string("tx"), .string("TX")),
        Case("state", .string("Texas"), .string("TX")),
        Case("nextgen_id", .number(12345), "vendorLeadId", .string("12345")),
        Case("zip", .string("02134"), "zipcode", .string("02134")),
        Case("order_time", .string("2025-05-02T15:04:05Z"), "purchasedAt", .string("2025-05-02T15:04:05Z")),
        Case("created_at", .string("2025-05-02T17:04:05+02:00"), "purchasedAt", .string("2025-05-02T15:04:05Z")),
        Case("gender", .string("MALE"), .string("Male")),
        Case("campaign_name", .string("  Spring  "), .string("Spring")),
        Case("age", .number(49), .number(49)),
        Case("custom", .object(["a": .number(1)]), .object(["a": .number(1)])),
    ])
    func lenientWebhookValues(c: Case) throws {
        let draft = try nextGen().enrich(VendorRecord(object: ["phone": .string("5550142233"), c.key: c.value]))
        #expect(probe(draft, c.probe) == c.expected)
        #expect(draft.warnings.isEmpty)
    }

    @Test(arguments: [
        Case("height", .string("70"), .string("5'10\"")),
        Case("height", .string("5'10\""), .string("5'10\"")),
        Case("height", .string("5' 4"), .string("5'4\"")),
        Case("height", .number(62), .string("5'2\"")),
        Case("call_duration", .string("65"), .number(65)),
        Case("call_duration", .string("1m 05s"), .number(65)),
        Case("call_duration", .string("1m"), .number(60)),
        Case("call_duration", .string("12m 30s"), .number(750)),
        Case("dob", .string("1975-07-04"), .string("1975-07-04")),
        Case("dob", .string("07/04/1975"), .string("1975-07-04")),
        Case("dob", .string("07-04-1975"), .string("1975-07-04")),
        Case("dob", .string("7/4/1975"), .string("1975-07-04")),
        Case("military", .string("TRUE"), .bool(true)),
        Case("military", .string("f"), .bool(false)),
        Case("pregnant", .string("0"), .bool(false)),
        Case("has_medical_condition", .string("N"), .bool(false)),
    ])
    func edgeCases(c: Case) throws {
        let draft = try nextGen().enrich(VendorRecord(object: ["phone": .string("5550142233"), c.key: c.value]))
        #expect(probe(draft, c.probe) == c.expected)
        #expect(draft.warnings.isEmpty)
    }

    /// Values that cannot be read: left out of typed members, raw text kept in `fields`
    /// under the export name, and one warning naming the column.
    @Test(arguments: [
        Case("height", .string("510"), "height", .string("510")),
        Case("height", .string("tall"), "height", .string("tall")),
        Case("call_duration", .string("about a minute"), "call_duration", .string("about a minute")),
        Case("dob", .string("04/07/75"), "dob", .string("04/07/75")),
        Case("dob", .string("1975-02-30"), "dob", .string("1975-02-30")),
        Case("military", .string("maybe"), "military", .string("maybe")),
        Case("weight", .string("heavy"), "weight", .string("heavy")),
        Case("price", .string("free"), "price", .string("free")),
        Case("created_at", .string("last tuesday"), "created_at", .string("last tuesday")),
        Case("state", .string("Atlantis"), "state", .string("Atlantis")),
        Case("gender", .string("x"), "gender", .string("x")),
        Case("medical_conditions", .string("[\"asthma\""), "medical_conditions", .string("[\"asthma\"")),
        Case("first_name", .array([.string("a")]), "first_name", .array([.string("a")])),
    ])
    func invalidValues(c: Case) throws {
        let draft = try nextGen().enrich(VendorRecord(object: ["phone": .string("5550142233"), c.key: c.value]))
        #expect(draft.fields[c.probe] == c.expected)
        #expect(draft.warnings.count == 1)
        let warning = try #require(draft.warnings.first)
        #expect(warning.field == c.key)
        #expect(warning.code == .invalidValue)
        #expect(warning.message.hasPrefix("\(c.key) is not "))
        if let raw = c.value.text { #expect(!warning.message.contains(raw)) }
        #expect(
            draft.dob == nil && draft.price == nil && draft.purchasedAt == nil && draft.state == nil
                && draft.gender == nil)
    }

    @Test func exportNameWinsOverAlias() throws {
        let adapter = try nextGen()
        let differ = try adapter.enrich(
            VendorRecord(object: ["lead_id": .string("D-1"), "nextgen_id": .string("ng-9")]))
        #expect(differ.vendorLeadId == "D-1")
        #expect(differ.fields == ["nextgen_id": .string("ng-9")])
        let same = try adapter.enrich(VendorRecord(object: ["lead_id": .string("D-1"), "nextgen_id": .string("D-1")]))
        #expect(same.fields.isEmpty)
        let nullExport = try adapter.enrich(VendorRecord(object: ["lead_id": .null, "nextgen_id": .string("ng-9")]))
        #expect(nullExport.vendorLeadId == "ng-9")
        #expect(
            try adapter.minimal(VendorRecord(object: ["lead_id": .string(""), "nextgen_id": .string("ng-9")]))
                .vendorLeadId == "ng-9")
    }

    @Test func createdAtWithoutOffsetUsesTheVendorZone() throws {
        let record = VendorRecord(object: [
            "phone": .string("5550142233"), "created_at": .string("2025-05-02 11:04:05"),
        ])
        #expect(try nextGen().minimal(record).purchasedAt == Date(timeIntervalSince1970: 1_746_183_845))
        #expect(
            try nextGen(timeZone: "America/New_York").minimal(record).purchasedAt
                == Date(timeIntervalSince1970: 1_746_198_245))
    }

    @Test func noIdentity() {
        let error = #expect(throws: AdapterError.self) {
            try nextGen().minimal(nextGenRow(["lead_id": "", "phone": "", "email": ""]))
        }
        #expect(error?.code == .noIdentity)
        #expect(error?.fields == ["phone", "email", "lead_id"])
        #expect(throws: AdapterError.self) { try nextGen().enrich(VendorRecord(object: ["city": .string("Austin")])) }
    }

    @Test func minimalWarnsOnBadPrice() throws {
        let draft = try nextGen().minimal(nextGenRow(["price": "n/a"]))
        #expect(draft.price == nil)
        #expect(draft.warnings.map(\.field) == ["price"])
    }

    @Test func registration() throws {
        var registry = AdapterRegistry()
        registerPlugins(into: &registry)
        #expect(registry.names == ["nextgen"])
        let factory = try #require(registry.factory(named: "nextgen"))
        let config = VendorConfig(key: "nextgen", name: "NextGen", adapter: "nextgen", channels: [.csv])
        #expect(try factory(config).enrich(nextGenRow()) == nextGen().enrich(nextGenRow()))
    }

    @Test func rejectsOptionsAndUnknownZones() {
        let options = YAMLNode.mapping(
            [
                YAMLMember(
                    key: "columns", keyMark: SourceMark(line: 9, column: 7),
                    value: .mapping([], mark: SourceMark(line: 9, column: 16)))
            ],
            mark: SourceMark(line: 9, column: 7))
        let withOptions = VendorConfig(
            key: "nextgen", name: "NextGen", adapter: "nextgen", channels: [.csv], options: options)
        let error = #expect(throws: ConfigError.self) { try NextGenAdapter(config: withOptions) }
        #expect(error?.description == "vendors.yaml:9:7: error: unknown key 'columns' in options of vendor 'nextgen'")
        #expect(throws: ConfigError.self) { try nextGen(timeZone: "America/Nowhere") }
    }
}

import Foundation
import Testing

@testable import Core

/// A real, tiny adapter: copies one configurable field into `vendorLeadId` and the
/// `email`/`phone` fields through. Its factory reads `options` like real adapters do.
struct FieldCopyAdapter: VendorAdapter {
    var idField: String

    static let factory: AdapterFactory = { config throws(ConfigError) in
        let options = try config.optionsMap()
        try options.rejectUnknown(allowed: ["id-field"])
        return FieldCopyAdapter(idField: try options.optionalString("id-field") ?? "id")
    }

    func minimal(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        let draft = LeadDraft(
            vendorLeadId: record.string(idField), email: record.string("email"), phone: record.string("phone"))
        guard draft.vendorLeadId != nil || draft.email != nil || draft.phone != nil else {
            throw AdapterError(.noIdentity, "no id, email or phone", fields: [idField, "email", "phone"])
        }
        return draft
    }

    func enrich(_ record: VendorRecord) throws(AdapterError) -> LeadDraft { try minimal(record) }
}

@Suite struct VendorCatalogTests {
    static var registry: AdapterRegistry {
        var r = AdapterRegistry()
        r.register("csv-mapping", FieldCopyAdapter.factory)
        r.register("nextgen", FieldCopyAdapter.factory)
        return r
    }

    static let good = """
        version: 1
        vendors:
          nextgen:
            name: NextGen Leads
            adapter: nextgen
            channels: [webhook, csv]
            webhook:
              auth: api-key
            csv:
              detect: [purchase_id, lead_id, vertical_id]
            timezone: America/Chicago
            options:
              id-field: lead_id
          marketplace:
            name: Marketplace
            adapter: csv-mapping
            channels: csv
            csv:
              detect:
                - leadID
                - primaryPhone
        """

    /// The error lines of `text`, or [] when it loads.
    private func errors(_ text: String) -> [String] {
        do {
            _ = try VendorCatalog.parse(text: text, file: "vendors.yaml", registry: Self.registry)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    /// `good`'s first vendor with `lines` replacing its body (indented under `nextgen:`).
    private func entry(_ lines: String) -> String {
        "version: 1\nvendors:\n  nextgen:\n"
            + lines.split(separator: "\n", omittingEmptySubsequences: false)
            .map { "    " + $0 }.joined(separator: "\n") + "\n"
    }

    @Test func goodFileLoadsInOrderWithAllFields() throws {
        let catalog = try VendorCatalog.parse(text: Self.good, file: "vendors.yaml", registry: Self.registry)
        #expect(catalog.keys == ["nextgen", "marketplace"])
        let nextgen = try #require(catalog[key: "nextgen"])
        #expect(nextgen.config.name == "NextGen Leads")
        #expect(nextgen.config.adapter == "nextgen")
        #expect(nextgen.config.channels == [.webhook, .csv])
        #expect(nextgen.config.webhookAuth == .apiKey)
        #expect(nextgen.config.detectHeaders == ["purchase_id", "lead_id", "vertical_id"])
        #expect(nextgen.config.timeZone == "America/Chicago")
        #expect(nextgen.config.mark == SourceMark(line: 3, column: 3))
        #expect(nextgen.config.options?.mark == SourceMark(line: 13, column: 7))
        let adapter = try #require(nextgen.adapter as? FieldCopyAdapter)
        #expect(adapter.idField == "lead_id")

        let marketplace = try #require(catalog["marketplace"])
        #expect(marketplace.config.channels == [.csv])
        #expect(marketplace.config.webhookAuth == nil)
        #expect(marketplace.config.timeZone == nil)
        #expect(marketplace.config.detectHeaders == ["leadID", "primaryPhone"])
        #expect(marketplace.config.mark == SourceMark(line: 14, column: 3))
        #expect((marketplace.adapter as? FieldCopyAdapter)?.idField == "id")

        // The adapter built from the file really works.
        let record = VendorRecord(object: ["lead_id": .string("L-1")])
        #expect(try nextgen.adapter.minimal(record).vendorLeadId == "L-1")
    }

    @Test func unknownVendorMessage() throws {
        let catalog = try VendorCatalog.parse(text: Self.good, file: "vendors.yaml", registry: Self.registry)
        #expect(catalog[key: "nextgn"] == nil)
        #expect(
            catalog.unknownVendorMessage("nextgn")
                == "unknown vendor 'nextgn' (did you mean 'nextgen'?); known vendors: marketplace, nextgen")
        #expect(catalog.unknownVendorMessage("zzz") == "unknown vendor 'zzz'; known vendors: marketplace, nextgen")
        #expect(VendorCatalog(vendors: []).unknownVendorMessage("x") == "unknown vendor 'x'; no vendors are configured")
    }

    @Test(arguments: [
        // Top level.
        (
            "",
            [
                "vendors.yaml:1:1: error: the file is missing 'version' (write 'version: 1')",
                "vendors.yaml:1:1: error: the file is missing 'vendors'",
            ]
        ),
        ("- a\n", ["vendors.yaml:1:1: error: the file must be a mapping, found a list"]),
        (
            "version: 2\nvendors: {}\n",
            ["vendors.yaml:1:10: error: unsupported version 2 (this Sluice reads version 1)"]
        ),
        ("version: one\nvendors: {}\n", ["vendors.yaml:1:10: error: 'version' must be a whole number, found 'one'"]),
        (
            "version: 1\nvendor: {}\n",
            [
                "vendors.yaml:1:1: error: the file is missing 'vendors'",
                "vendors.yaml:2:1: error: unknown key 'vendor' in the file (did you mean 'vendors'?)",
            ]
        ),
        ("version: 1\nvendors: [a]\n", ["vendors.yaml:2:10: error: 'vendors' must be a mapping, found a list"]),
        (
            "version: 1\nvendors:\n  Next_Gen:\n    name: X\n    adapter: nextgen\n    channels: [csv]\n    csv: {detect: [a]}\n",
            [
                "vendors.yaml:3:3: error: vendor key 'Next_Gen' must be 1 to 32 lowercase letters, digits or '-', starting with a letter"
            ]
        ),
        ("version: 1\nvendors:\n  x: 1\n", ["vendors.yaml:3:6: error: vendor 'x' must be a mapping, found a scalar"]),
    ])
    func topLevelErrors(_ text: String, _ expected: [String]) {
        #expect(errors(text) == expected)
    }

    @Test(arguments: [
        (
            "name: X\nadapter: csv-maping\nchannels: [csv]\ncsv: {detect: [a]}",
            "5:14: error: unknown adapter 'csv-maping' (did you mean 'csv-mapping'?)"
        ),
        (
            "name: X\nadapter: acme\nchannels: [csv]\ncsv: {detect: [a]}",
            "5:14: error: unknown adapter 'acme'; known adapters: csv-mapping, nextgen"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [webhok]",
            "6:16: error: unknown channel 'webhok' (did you mean 'webhook'?)"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv, csv]\ncsv: {detect: [a]}",
            "6:21: error: channel 'csv' is listed twice"
        ),
        ("name: X\nadapter: nextgen\nchannels: []", "6:15: error: 'channels' must list at least one of: webhook, csv"),
        (
            "name: X\nadapter: nextgen\nchannels: [webhook]\nwebhook:\n  auth: apikey",
            "8:13: error: unknown webhook auth 'apikey' (did you mean 'api-key'?)"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [webhook]\nwebhook:\n  auth: hmac",
            "8:13: error: unknown webhook auth 'hmac'; known kinds: api-key, standard-webhooks"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [webhook]\nwebhook:\n  aut: api-key",
            "8:7: error: unknown key 'aut' in 'webhook' of vendor 'nextgen' (did you mean 'auth'?)"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [webhook]",
            "6:15: error: vendor 'nextgen' lists channel 'webhook' but has no 'webhook' section"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]",
            "6:15: error: vendor 'nextgen' lists channel 'csv' but has no 'csv' section"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}\nwebhook: {auth: api-key}",
            "8:5: error: 'webhook' is set but vendor 'nextgen' does not list channel 'webhook'"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: []}",
            "7:19: error: 'detect' must list at least one header name"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {}",
            "7:10: error: 'csv' of vendor 'nextgen' is missing 'detect'"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a, '']}",
            "7:23: error: 'detect' header names must not be empty"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}\ntimezone: America/Chicgo",
            "8:15: error: unknown time zone 'America/Chicgo' (did you mean 'America/Chicago'?)"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}\ntimezone: Mars/Base",
            "8:15: error: unknown time zone 'Mars/Base' (use an IANA name such as 'America/Chicago')"
        ),
        (
            "name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}\nadaptor: x",
            "8:5: error: unknown key 'adaptor' in vendor 'nextgen' (did you mean 'adapter'?)"
        ),
        (
            "name: ''\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}",
            "4:11: error: 'name' of vendor 'nextgen' must not be empty"
        ),
        ("adapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}", "4:5: error: vendor 'nextgen' is missing 'name'"),
        (
            "name: [X]\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}",
            "4:11: error: 'name' must be a single value, found a list"
        ),
    ])
    func entryErrors(_ body: String, _ expected: String) {
        #expect(errors(entry(body)) == ["vendors.yaml:" + expected])
    }

    @Test func factoryErrorJoinsTheList() {
        let text = entry("name: X\nadapter: nextgen\nchannels: [csv]\ncsv: {detect: [a]}\noptions:\n  id-feld: x")
        #expect(
            errors(text) == [
                "vendors.yaml:9:7: error: unknown key 'id-feld' in options of vendor 'nextgen' (did you mean 'id-field'?)"
            ])
    }

    @Test func everyErrorIsReportedInLineOrder() {
        let text = """
            version: 1
            vendors:
              one:
                name: One
                adapter: csv-maping
                channels: [csv]
                csv: {detect: [a]}
                colour: blue
              two:
                name: Two
                adapter: nextgen
                channels: [webhook]
                webhook: {auth: hmac}
                timezone: Nowhere/Land
              three:
                name: Three
                adapter: nextgen
                channels: [csv]
                csv: {detect: [a]}
                options: {id-feld: x}
              four:
                name: Four
                adapter: nextgen
                channels: [csv]
                csv: {detect: [a]}
            extra: 1
            """
        #expect(
            errors(text) == [
                "vendors.yaml:5:14: error: unknown adapter 'csv-maping' (did you mean 'csv-mapping'?)",
                "vendors.yaml:8:5: error: unknown key 'colour' in vendor 'one'",
                "vendors.yaml:13:21: error: unknown webhook auth 'hmac'; known kinds: api-key, standard-webhooks",
                "vendors.yaml:14:15: error: unknown time zone 'Nowhere/Land' (use an IANA name such as 'America/Chicago')",
                "vendors.yaml:20:15: error: unknown key 'id-feld' in options of vendor 'three' (did you mean 'id-field'?)",
                "vendors.yaml:26:1: error: unknown key 'extra' in the file",
            ])
    }

    @Test func syntaxErrorIsTheOnlyError() {
        #expect(
            errors("version: 1\nvendors:\n  a: b: c\n") == [
                "vendors.yaml:3:7: error: mapping values are not allowed in this context"
            ])
    }

    @Test func loadReadsAFileAndNamesItAsGiven() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vendor-catalog-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("vendors.yaml").path
        try Data(Self.good.utf8).write(to: URL(fileURLWithPath: path))
        #expect(try VendorCatalog.load(path: path, registry: Self.registry).keys == ["nextgen", "marketplace"])

        try Data("version: 1\nvendors:\n  x: {}\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: ConfigErrors.self) { try VendorCatalog.load(path: path, registry: Self.registry) }
        do {
            _ = try VendorCatalog.load(path: path, registry: Self.registry)
        } catch {
            #expect(
                error.errors.first?.description.hasPrefix("\(path):3:6: error: vendor 'x' is missing 'name'") == true)
        }
    }

    /// The fuzz seed corpus stays meaningful: `good-*` files load, `bad-*` files do not.
    @Test func fuzzSeedCorpus() throws {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fuzz/corpus/vendors").standardizedFileURL.path
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(names.count >= 8)
        for name in names {
            let result = Result { () throws(ConfigErrors) in
                try VendorCatalog.load(path: dir + "/" + name, registry: Self.registry)
            }
            if name.hasPrefix("good-") {
                #expect((try? result.get()) != nil, "\(name) should load")
            } else {
                #expect((try? result.get()) == nil, "\(name) should fail")
            }
        }
    }

    @Test func missingFileIsOneErrorWithoutAPlace() {
        do {
            _ = try VendorCatalog.load(path: "no/such/vendors.yaml", registry: Self.registry)
            Issue.record("loaded a missing file")
        } catch {
            #expect(error.description == "no/such/vendors.yaml: error: cannot read file (No such file or directory)")
        }
    }

    @Test(arguments: [
        ("nextgen", true), ("a", true), ("a-1", true), (String(repeating: "a", count: 32), true),
        (String(repeating: "a", count: 33), false), ("1a", false), ("-a", false), ("", false), ("aB", false),
        ("a_b", false), ("é", false),
    ])
    func keyPattern(_ key: String, _ valid: Bool) {
        #expect(VendorCatalog.isValidKey(key) == valid)
    }
}

import Foundation
import Testing

@testable import Core

/// Literals for building `YAMLNode` trees in tests instead of parsing YAML text (the
/// libyaml wrapper lives elsewhere). Every node is at 1:1 unless `at(_:_:_:)` or
/// `.node(…)` with its own marks says otherwise.
struct Y: ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    var node: YAMLNode
    init(_ node: YAMLNode) { self.node = node }
    init(stringLiteral value: String) {
        node = .scalar(value, quoted: false, mark: SourceMark(line: 1, column: 1))
    }
    init(arrayLiteral elements: Y...) {
        node = .sequence(elements.map(\.node), mark: SourceMark(line: 1, column: 1))
    }
    init(dictionaryLiteral elements: (String, Y)...) {
        node = .mapping(
            elements.map { YAMLMember(key: $0.0, keyMark: SourceMark(line: 1, column: 1), value: $0.1.node) },
            mark: SourceMark(line: 1, column: 1))
    }

    /// A scalar written at `line:column`.
    static func at(_ line: Int, _ column: Int, _ text: String) -> Y {
        Y(.scalar(text, quoted: false, mark: SourceMark(line: line, column: column)))
    }

    /// A mapping whose members' keys carry their own marks.
    static func mapping(_ members: YAMLMember...) -> Y {
        Y(.mapping(members, mark: members.first?.keyMark ?? SourceMark(line: 1, column: 1)))
    }
}

/// A mapping member whose key sits at `line:column`.
func member(_ key: String, at line: Int, _ column: Int, _ value: Y) -> YAMLMember {
    YAMLMember(key: key, keyMark: SourceMark(line: line, column: column), value: value.node)
}

/// A csv-mapping vendor with these options.
func csvMappingConfig(_ options: Y, timeZone: String? = "America/New_York") -> VendorConfig {
    VendorConfig(
        key: "acme", name: "Acme", adapter: "csv-mapping", channels: [.csv], timeZone: timeZone, options: options.node)
}

@Suite("csv-mapping configuration errors")
struct CSVMappingConfigTests {
    private func error(_ options: Y, timeZone: String? = "America/New_York") -> String? {
        do {
            _ = try CSVMappingAdapter(config: csvMappingConfig(options, timeZone: timeZone))
            return nil
        } catch {
            return error.description
        }
    }

    @Test func unknownTransformSuggestsTheNearest() {
        let options: Y = ["columns": ["state": ["to": "state", "transform": .at(12, 7, "uper")]]]
        #expect(
            error(options)
                == "vendors.yaml:12:7: error: unknown transform 'uper' in column 'state' (did you mean 'upper'?)")
    }

    @Test func unknownTransformInAList() {
        let options: Y = ["columns": ["dob": ["transform": ["trim", .at(4, 20, "dte")]]]]
        #expect(error(options)?.hasPrefix("vendors.yaml:4:20: error: unknown transform 'dte'") == true)
        #expect(error(options)?.hasSuffix("(did you mean 'date'?)") == true)
    }

    @Test func unknownParameterisedTransform() {
        let transform = Y.mapping(member("mapp", at: 8, 9, ["m": "Male"]))
        let options: Y = ["columns": ["gender": ["to": "gender", "transform": transform]]]
        #expect(
            error(options)
                == "vendors.yaml:8:9: error: unknown transform 'mapp' in column 'gender' (did you mean 'map'?)")
    }

    @Test func unknownOptionKey() {
        let options = Y.mapping(
            member("keep_unmaped", at: 3, 5, "true"), member("columns", at: 4, 5, ["phone": "phone"]))
        #expect(
            error(options)
                == "vendors.yaml:3:5: error: unknown key 'keep_unmaped' in options of vendor 'acme' (did you mean 'keep_unmapped'?)"
        )
    }

    @Test func unknownColumnKey() {
        let spec = Y.mapping(member("to", at: 6, 9, "phone"), member("transforms", at: 6, 20, "phone"))
        #expect(
            error(["columns": ["tel": spec]])
                == "vendors.yaml:6:20: error: unknown key 'transforms' in column 'tel' (did you mean 'transform'?)")
    }

    @Test(arguments: ["createdAt", "tenantId", "source", "Warnings"])
    func reservedTargets(name: String) {
        let options: Y = ["columns": ["phone": "phone", "x": .at(9, 8, name)]]
        #expect(
            error(options)
                == "vendors.yaml:9:8: error: '\(name)' is set by Sluice itself and cannot be a mapping target")
    }

    @Test func targetMisspelledByCase() {
        let options: Y = ["columns": ["tel": .at(5, 10, "Phone"), "mail": "email"]]
        #expect(error(options) == "vendors.yaml:5:10: error: unknown target 'Phone' (did you mean 'phone'?)")
    }

    @Test func typedTransformMustBeLast() {
        let options: Y = [
            "columns": ["phone": "phone", "dob": ["to": "dob", "transform": [.at(7, 30, "date"), "upper"]]]
        ]
        #expect(
            error(options)
                == "vendors.yaml:7:30: error: transform 'date' of column 'dob' gives a typed value, so it must be the last transform"
        )
    }

    @Test func transformThatDoesNotFitTheMember() {
        let options: Y = ["columns": ["phone": "phone", "cost": ["to": "price", "transform": "boolean"]]]
        #expect(
            error(options)?.contains("transform 'boolean' of column 'cost' does not give a value price can hold")
                == true)
    }

    @Test func badDateFormat() {
        let date = Y.mapping(member("date", at: 3, 3, .at(3, 9, "MM-DD-YY")))
        let options: Y = ["columns": ["phone": "phone", "dob": ["to": "dob", "transform": date]]]
        #expect(
            error(options)?.hasPrefix("vendors.yaml:3:9: error: unsupported token 'YY' in date format 'MM-DD-YY'")
                == true)
    }

    @Test func unknownZoneInDate() {
        let date = Y.mapping(
            member("date", at: 3, 3, "YYYY-MM-DD"), member("zone", at: 3, 20, .at(3, 26, "America/New_Yrok")))
        let options: Y = ["columns": ["phone": "phone", "dob": ["to": "dob", "transform": date]]]
        #expect(
            error(options)
                == "vendors.yaml:3:26: error: unknown time zone 'America/New_Yrok' (did you mean 'America/New_York'?)")
    }

    @Test func unknownVendorZone() {
        #expect(
            error(["columns": ["phone": "phone"]], timeZone: "Mars/Olympus")?.contains(
                "unknown time zone 'Mars/Olympus'") == true)
    }

    @Test func mapNeedsValues() {
        let options: Y = ["columns": ["phone": "phone", "g": ["transform": .at(2, 2, "map")]]]
        #expect(
            error(options) == "vendors.yaml:2:2: error: transform 'map' of column 'g' needs a value, e.g. { map: … }")
    }

    @Test func identityAndLeadIdColumnConflict() {
        let options: Y = ["identity": ["a", "b"], "columns": ["id": "vendorLeadId"]]
        #expect(
            error(options)?.contains("'identity' and a column mapped to vendorLeadId both set the vendor lead id")
                == true)
    }

    @Test func noIdentityColumns() {
        #expect(error(["columns": ["city": "city"]])?.contains("is mapped to phone, email or vendorLeadId") == true)
    }

    @Test func columnMappedTwice() {
        let columns = Y.mapping(member("phone", at: 2, 5, "phone"), member("phone", at: 3, 5, "email"))
        #expect(error(["columns": columns]) == "vendors.yaml:3:5: error: column 'phone' is mapped twice")
    }

    @Test func optionsMustBeAMapping() {
        #expect(error(["a", "b"])?.contains("options of vendor 'acme' must be a mapping") == true)
    }

    @Test func registersUnderItsName() throws {
        var registry = AdapterRegistry()
        CSVMappingAdapter.register(into: &registry)
        #expect(registry.names == ["csv-mapping"])
        let factory = try #require(registry.factory(named: "csv-mapping"))
        _ = try factory(csvMappingConfig(["columns": ["phone": "phone"]]))
    }
}

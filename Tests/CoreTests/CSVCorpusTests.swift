import Foundation
import Testing

@testable import Core

/// The fuzz seed corpus (`Tests/Fuzz/corpus/csv`) as a regression test: each file reads
/// the same split at every offset, and the ones named after a feature read as expected.
@Suite("CSV corpus")
struct CSVCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/corpus/csv")

    static let files: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".csv") }.sorted()
    }()

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appendingPathComponent(name)))
    }

    @Test func corpusIsThere() {
        #expect(Self.files.count >= 10)
    }

    @Test(arguments: files)
    func splitAnywhere(_ name: String) throws {
        let input = try Self.bytes(name)
        let whole = TableTranscript.lines(input)
        for cut in 0...input.count {
            #expect(TableTranscript.lines(input, splitAt: [cut]) == whole, "split at \(cut)")
        }
    }

    @Test func nextGenLikeFile() throws {
        let events = TableTranscript.events(try Self.bytes("nextgen-crlf.csv"))
        let rows = events.compactMap { if case .row(let r) = $0 { r } else { nil } }
        #expect(events.count == 4 && rows.count == 3)
        #expect(rows.map(\.line) == [2, 3, 4])
        #expect(rows[1]["last_name"] == "Example, Jr.")
        #expect(rows[1]["medical_conditions"] == "[\"none\"]")
        #expect(rows[0]["zipcode"] == "02134")
        #expect(rows[2]["price"] == "7")
    }

    @Test func marketplaceLikeFile() throws {
        let events = TableTranscript.events(try Self.bytes("marketplace-lf.csv"))
        let rows = events.compactMap { if case .row(let r) = $0 { r } else { nil } }
        #expect(rows.count == 2)
        #expect(rows[0]["crmLastOfCallHistoryNameLastFirst"] == "Agent,  Some")
        #expect(rows[0]["created"] == "05-01-2025 13:45:00 ")
        #expect(rows[0].record().string("campaignName") == "Spring Promo")
    }

    @Test func featureFiles() throws {
        #expect(TableTranscript.lines(try Self.bytes("bom.csv")) == ["h@1:id|name", "1@2:1|Zoë", "2@3:2|日本"])
        #expect(TableTranscript.lines(try Self.bytes("blank-lines.csv")) == ["h@3:id|v", "1@5:1|a", "2@8:2|b"])
        #expect(TableTranscript.lines(try Self.bytes("lone-cr.csv")) == ["h@1:a|b", "1@2:1|2", "2@3:3|4"])
        #expect(TableTranscript.lines(try Self.bytes("ragged.csv")).count == 6)
        #expect(
            TableTranscript.lines(try Self.bytes("invalid-utf8.csv")) == [
                "h@1:name|city", "1@2:Al|Bo",
                "!invalid_utf8 2@3: invalid UTF-8 in column 2 'city' at byte 2 of the value",
                "!invalid_utf8 3@4: invalid UTF-8 in column 2 'city' at byte 1 of the value",
                "4@5:Fa|€",
            ])
    }
}

import Testing

@testable import Core

/// Runs inputs through ``CSVTable`` and writes events as short lines:
/// `h@1:a|b`, `1@2:x|y` (row 1 on line 2), `!field_count 2@3: message`, `FAIL empty_file`.
struct TableTranscript {
    static func events(_ input: [UInt8], splitAt cuts: [Int] = [], maxRecordBytes: Int = 1 << 20) -> [CSVTable.Event] {
        var table = CSVTable(maxRecordBytes: maxRecordBytes)
        var out: [CSVTable.Event] = []
        var start = 0
        for cut in cuts + [input.count] {
            table.feed(Array(input[start..<cut])) { out.append($0) }
            start = cut
        }
        table.finish { out.append($0) }
        return out
    }

    static func lines(_ input: [UInt8], splitAt cuts: [Int] = [], maxRecordBytes: Int = 1 << 20) -> [String] {
        events(input, splitAt: cuts, maxRecordBytes: maxRecordBytes).map(line)
    }

    static func lines(_ input: String, maxRecordBytes: Int = 1 << 20) -> [String] {
        lines(Array(input.utf8), maxRecordBytes: maxRecordBytes)
    }

    static func line(_ event: CSVTable.Event) -> String {
        switch event {
        case .header(let h): return "h@\(h.line):" + h.names.names.joined(separator: "|")
        case .row(let r): return "\(r.row)@\(r.line):" + r.values.joined(separator: "|")
        case .rowError(let e): return "!\(e.code) \(e.row)@\(e.line): \(e.message)"
        case .failed(let e): return "FAIL \(e.code) @\(e.line): \(e.message)"
        }
    }
}

@Suite("CSVTable")
struct CSVTableTests {
    @Test func headerThenRows() throws {
        let events = TableTranscript.events(Array("phone,email\r\n5550001,a@example.com\r\n5550002,\r\n".utf8))
        #expect(
            events.map(TableTranscript.line) == [
                "h@1:phone|email", "1@2:5550001|a@example.com", "2@3:5550002|",
            ])
        guard case .header(let header) = events[0], case .row(let first) = events[1],
            case .row(let second) = events[2]
        else {
            Issue.record("unexpected events")
            return
        }
        // One FieldNames for the whole file.
        #expect(first.names === header.names && second.names === header.names)
        #expect(first["email"] == "a@example.com")
        #expect(first["nope"] == nil)
        let record = first.record()
        #expect(record.names === header.names)
        #expect(record.values == [.string("5550001"), .string("a@example.com")])
        #expect(second.record().string("email") == nil)
    }

    @Test func headerNamesAreTrimmedValuesAreNot() {
        #expect(TableTranscript.lines(" a ,\tb\n x , y \n") == ["h@1:a|b", "1@2: x | y "])
    }

    @Test func duplicateHeaderKeepsBothFirstWins() throws {
        let events = TableTranscript.events(Array("a,b,a\n1,2,3\n".utf8))
        guard case .header(let header) = events[0], case .row(let row) = events[1] else {
            Issue.record("unexpected events")
            return
        }
        #expect(header.names.names == ["a", "b", "a"])
        #expect(header.problems.map(\.code) == [.duplicateHeader])
        #expect(
            header.problems.first?.message
                == "header column 3 repeats the name 'a' of column 1; lookups by name use column 1")
        #expect(row["a"] == "1")
        #expect(row.values == ["1", "2", "3"])
    }

    @Test func blankHeaderNameIsAProblem() throws {
        let events = TableTranscript.events(Array("a, ,c,\n1,2,3,4\n".utf8))
        guard case .header(let header) = events[0] else {
            Issue.record("no header")
            return
        }
        #expect(header.problems.map(\.code) == [.blankHeader, .blankHeader])
        #expect(header.problems.map(\.message) == ["header column 2 has no name", "header column 4 has no name"])
        #expect(events.count == 2)
    }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let input: [UInt8]
        let expected: [String]
        var testDescription: String { name }
        init(_ name: String, _ input: String, _ expected: [String]) {
            self.init(name, Array(input.utf8), expected)
        }
        init(_ name: String, _ input: [UInt8], _ expected: [String]) {
            self.name = name
            self.input = input
            self.expected = expected
        }
    }

    static let cases: [Case] = [
        Case("empty file", "", ["FAIL empty_file @1: the file is empty (no header)"]),
        Case("only blank lines", "\r\n\n", ["FAIL empty_file @1: the file is empty (no header)"]),
        Case("only a BOM", "\u{FEFF}", ["FAIL empty_file @1: the file is empty (no header)"]),
        Case("header only", "a,b\n", ["h@1:a|b"]),
        Case("header after blank lines", "\n\na\n1\n", ["h@3:a", "1@4:1"]),
        Case(
            "ragged rows, then the file goes on", "a,b\n1\n1,2,3\n4,5",
            [
                "h@1:a|b", "!field_count 1@2: row has 1 fields, header has 2",
                "!field_count 2@3: row has 3 fields, header has 2", "3@4:4|5",
            ]),
        Case(
            "invalid UTF-8 mid-file, then good rows",
            Array("name,city\nAl,Bo\nCy,D".utf8) + [0xFF] + Array("x\nEd,Fa\n".utf8),
            [
                "h@1:name|city", "1@2:Al|Bo",
                "!invalid_utf8 2@3: invalid UTF-8 in column 2 'city' at byte 2 of the value", "3@4:Ed|Fa",
            ]),
        Case(
            "a sequence split across two fields is invalid",
            Array("a,b\n".utf8) + [0xC3, 0x2C, 0xA9] + Array("\n".utf8),
            ["h@1:a|b", "!invalid_utf8 1@2: invalid UTF-8 in column 1 'a' at byte 1 of the value"]),
        Case(
            "truncated sequence at the end of a value",
            Array("a\nok\n".utf8) + [0x41, 0xE2, 0x82] + Array("\n".utf8),
            ["h@1:a", "1@2:ok", "!invalid_utf8 2@3: invalid UTF-8 in column 1 'a' at byte 2 of the value"]),
        Case(
            "overlong and surrogate encodings are invalid",
            Array("a\n".utf8) + [0xC0, 0xAF] + Array("\n".utf8) + [0xED, 0xA0, 0x80] + Array("\n".utf8),
            [
                "h@1:a", "!invalid_utf8 1@2: invalid UTF-8 in column 1 'a' at byte 1 of the value",
                "!invalid_utf8 2@3: invalid UTF-8 in column 1 'a' at byte 1 of the value",
            ]),
        Case("valid multi-byte values", "név,emoji\nZoë,🙂\n", ["h@1:név|emoji", "1@2:Zoë|🙂"]),
        Case(
            "unterminated quote in the last row", "a,b\n1,2\n3,\"open\n4,5\n",
            [
                "h@1:a|b", "1@2:1|2",
                "!unterminated_quote 2@3: quoted field 2 is not closed before the end of the file",
            ]),
        Case(
            "text after a closing quote", "a,b\n\"x\"y,2\n3,4\n",
            ["h@1:a|b", "!text_after_quote 1@2: text after the closing quote of field 1", "2@3:3|4"]),
        Case(
            "quoted newlines advance the line", "a,b\n\"1\n1\",2\n3,\"4\r\n\r\n\"\n5,6\n",
            ["h@1:a|b", "1@2:1\n1|2", "2@4:3|4\r\n\r\n", "3@7:5|6"]),
        Case(
            "header with an unterminated quote fails the file", "\"a,b\n1,2\n",
            ["FAIL unterminated_quote @1: header: quoted field 1 is not closed before the end of the file"]),
        Case(
            "header that is not UTF-8 fails the file", [0x61, 0x2C, 0x62, 0xE9, 0x0A, 0x31, 0x2C, 0x32, 0x0A],
            ["FAIL invalid_header @1: header column 2 is not valid UTF-8 (byte 2); save the file as UTF-8"]),
        Case(
            "header with text after a quote fails the file", "\"a\"b,c\n1,2\n",
            ["FAIL text_after_quote @1: header: text after the closing quote of field 1"]),
    ]

    @Test(arguments: cases)
    func reads(_ c: Case) {
        #expect(TableTranscript.lines(c.input) == c.expected)
    }

    @Test(arguments: cases)
    func readsTheSameSplitAnywhere(_ c: Case) {
        let whole = TableTranscript.lines(c.input)
        for cut in 0...c.input.count {
            #expect(TableTranscript.lines(c.input, splitAt: [cut]) == whole, "split at \(cut)")
        }
    }

    @Test func oversizedRowIsARowErrorOversizedHeaderFailsTheFile() {
        let long = String(repeating: "v", count: 100)
        #expect(
            TableTranscript.lines("a,b\n\(long),1\n2,3\n", maxRecordBytes: 32) == [
                "h@1:a|b",
                "!record_too_large 1@2: record is larger than 32 bytes (an unbalanced quote?); skipped",
                "2@3:2|3",
            ])
        #expect(
            TableTranscript.lines("\(long)\n1\n", maxRecordBytes: 32).map { $0.prefix(22) } == [
                "FAIL record_too_large "
            ])
    }

    @Test func errorDescriptionsPointAtThePlace() {
        var e = CSVError(.fieldCount, "row has 1 fields, header has 2", row: 12, line: 14)
        #expect(e.description == "line 14: error: row 12: row has 1 fields, header has 2")
        e.file = "leads.csv"
        #expect(e.description == "leads.csv:14: error: row 12: row has 1 fields, header has 2")
        let header = CSVError(.emptyFile, "the file is empty (no header)", row: 0, line: 1, file: "x.csv")
        #expect(header.description == "x.csv:1: error: the file is empty (no header)")
        let io = CSVError(.io, "cannot open the file: No such file or directory", row: 0, line: 0, file: "x.csv")
        #expect(io.description == "x.csv: error: cannot open the file: No such file or directory")
    }

    @Test func nothingFollowsAFailure() {
        let lines = TableTranscript.lines("\"a\"b\nc\nd\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("FAIL") == true)
    }
}

import Testing

@testable import Core

/// Runs inputs through ``CSVParser`` and writes each event as one short line, so
/// expectations read like the file: `r1@2:x|y` is data record 1 starting on line 2 with
/// fields `x` and `y`; `e1@2:unterminated_quote` is an error for that record.
struct ParserTranscript {
    static func events(_ input: [UInt8], splitAt cuts: [Int] = [], maxRecordBytes: Int = 1 << 20) -> [String] {
        var parser = CSVParser(maxRecordBytes: maxRecordBytes)
        var out: [String] = []
        var start = 0
        for cut in cuts + [input.count] {
            parser.feed(Array(input[start..<cut])) { out.append(line($0)) }
            start = cut
        }
        parser.finish { out.append(line($0)) }
        return out
    }

    static func events(_ input: String, splitAt cuts: [Int] = [], maxRecordBytes: Int = 1 << 20) -> [String] {
        events(Array(input.utf8), splitAt: cuts, maxRecordBytes: maxRecordBytes)
    }

    static func line(_ event: CSVParser.Event) -> String {
        switch event {
        case .record(let r):
            let fields = (0..<r.count).map { String(decoding: r.field($0), as: UTF8.self) }
            return "r\(r.row)@\(r.line):" + fields.joined(separator: "|")
        case .error(let e):
            return "e\(e.row)@\(e.line):\(e.code)"
        }
    }
}

@Suite("CSVParser")
struct CSVParserTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let input: String
        let expected: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "LF", input: "a,b\n1,2\n", expected: ["r0@1:a|b", "r1@2:1|2"]),
        Case(name: "no trailing newline", input: "a,b\n1,2", expected: ["r0@1:a|b", "r1@2:1|2"]),
        Case(name: "CRLF", input: "a,b\r\n1,2\r\n", expected: ["r0@1:a|b", "r1@2:1|2"]),
        Case(name: "lone CR", input: "a,b\r1,2\r", expected: ["r0@1:a|b", "r1@2:1|2"]),
        Case(name: "mixed endings", input: "a\r\nb\nc\rd", expected: ["r0@1:a", "r1@2:b", "r2@3:c", "r3@4:d"]),
        Case(name: "quoted comma", input: "\"a,b\",c\n", expected: ["r0@1:a,b|c"]),
        Case(name: "escaped quotes", input: "\"say \"\"hi\"\"\",x\n", expected: ["r0@1:say \"hi\"|x"]),
        Case(name: "only an escaped quote", input: "\"\"\"\"", expected: ["r0@1:\""]),
        Case(name: "empty quoted field", input: "\"\",\"\"\n", expected: ["r0@1:|"]),
        Case(name: "quoted LF", input: "\"l1\nl2\",x\ny,z\n", expected: ["r0@1:l1\nl2|x", "r1@3:y|z"]),
        Case(name: "quoted CRLF", input: "\"l1\r\nl2\",x\r\ny,z\r\n", expected: ["r0@1:l1\r\nl2|x", "r1@3:y|z"]),
        Case(name: "quoted lone CR", input: "\"l1\rl2\",x\ny\n", expected: ["r0@1:l1\rl2|x", "r1@3:y"]),
        Case(name: "quoted blank lines", input: "\"\n\n\"\nz\n", expected: ["r0@1:\n\n", "r1@4:z"]),
        Case(name: "BOM dropped", input: "\u{FEFF}a,b\n1,2\n", expected: ["r0@1:a|b", "r1@2:1|2"]),
        Case(name: "BOM later kept", input: "a\n\u{FEFF}b\n", expected: ["r0@1:a", "r1@2:\u{FEFF}b"]),
        Case(name: "BOM then quote", input: "\u{FEFF}\"a\"\n", expected: ["r0@1:a"]),
        Case(name: "only a BOM", input: "\u{FEFF}", expected: []),
        Case(name: "empty input", input: "", expected: []),
        Case(name: "only blank lines", input: "\n\r\n\r\n", expected: []),
        Case(
            name: "blank lines skipped, lines counted",
            input: "\n\na,b\n\n1,2\n\r\n\n3,4\n\n",
            expected: ["r0@3:a|b", "r1@5:1|2", "r2@8:3|4"]),
        Case(name: "empty fields", input: ",,\n", expected: ["r0@1:||"]),
        Case(name: "trailing comma at end", input: "a,", expected: ["r0@1:a|"]),
        Case(name: "quote inside unquoted field", input: "ab\"c,d\"\n", expected: ["r0@1:ab\"c|d\""]),
        Case(name: "space before quote", input: "x, \"y\"\n", expected: ["r0@1:x| \"y\""]),
        Case(name: "spaces kept", input: " a , b \n", expected: ["r0@1: a | b "]),
        Case(
            name: "text after closing quote is an error",
            input: "\"abc\"def,x\ny\n", expected: ["e0@1:text_after_quote", "r1@2:y"]),
        Case(
            name: "text after quote, quoted newline later in record",
            input: "\"a\"b,\"c\nd\"\ne\n", expected: ["e0@1:text_after_quote", "r1@3:e"]),
        Case(
            name: "unterminated quote at end",
            input: "a\n\"open,x\ny\n", expected: ["r0@1:a", "e1@2:unterminated_quote"]),
        Case(name: "multi-byte UTF-8", input: "é,🙂\n日本,x", expected: ["r0@1:é|🙂", "r1@2:日本|x"]),
    ]

    @Test(arguments: cases)
    func parses(_ c: Case) {
        #expect(ParserTranscript.events(c.input) == c.expected)
    }

    /// Inputs that exercise every state at once: BOM, CRLF, quoted CRLF, escaped quotes,
    /// multi-byte UTF-8, blank lines, a lone CR, an error record, no final newline.
    static let tricky: [String] = [
        "\u{FEFF}id,\"na,me\",note\r\n1,\"Zoë \"\"Z\"\"\",\"l1\r\nl2\"\r\n\r\n2,日本,🙂\r3,\"a\"b,c\n4,,\"\"",
        "\"\"\"\",\"\r\",\"\n\"\r\n\n\r\"x\"\"\"\"y\",é\"",
        "\u{FEFF}\u{FEFF}a\r\r\n\"\u{FEFF}\"",
        "a,b\n\"unterminated\r\n,x",
    ]

    @Test("a chunk boundary anywhere gives the same events", arguments: tricky)
    func splitAnywhere(_ input: String) {
        let bytes = Array(input.utf8)
        let whole = ParserTranscript.events(bytes)
        #expect(!whole.isEmpty)
        for cut in 0...bytes.count {
            #expect(ParserTranscript.events(bytes, splitAt: [cut]) == whole, "split at \(cut)")
        }
        #expect(ParserTranscript.events(bytes, splitAt: Array(1..<bytes.count)) == whole, "byte by byte")
    }

    @Test func trickyInputsParseAsExpected() {
        #expect(
            ParserTranscript.events(Self.tricky[0]) == [
                "r0@1:id|na,me|note", "r1@2:1|Zoë \"Z\"|l1\r\nl2", "r2@5:2|日本|🙂", "e3@6:text_after_quote",
                "r4@7:4||",
            ])
        // `\r` then `\r\n`: two line breaks, the second line blank.
        #expect(ParserTranscript.events(Self.tricky[2]) == ["r0@1:\u{FEFF}a", "r1@3:\u{FEFF}"])
    }

    @Test func recordOverTheLimitIsSkipped() {
        let long = String(repeating: "x", count: 40)
        let input = "a,b\n1,2\n\(long),y\n3,4\n"
        #expect(
            ParserTranscript.events(input, maxRecordBytes: 16) == [
                "r0@1:a|b", "r1@2:1|2", "e2@3:record_too_large", "r3@4:3|4",
            ])
        // Exactly at the limit is kept: 15 bytes + 1 field.
        #expect(ParserTranscript.events(String(repeating: "y", count: 15), maxRecordBytes: 16).count == 1)
        #expect(
            ParserTranscript.events(String(repeating: "y", count: 16), maxRecordBytes: 16) == [
                "e0@1:record_too_large"
            ])
    }

    @Test func oversizedQuotedRecordResynchronisesAfterItsEnd() {
        let big = String(repeating: "line\r\n", count: 50)
        let input = "a\n\"\(big)\",x\nb\n"
        let events = ParserTranscript.events(input, maxRecordBytes: 64)
        #expect(events == ["r0@1:a", "e1@2:record_too_large", "r2@53:b"])
        // Split inside the big field: same result.
        #expect(ParserTranscript.events(input, splitAt: [10, 100, 200], maxRecordBytes: 64) == events)
    }

    @Test func manyEmptyFieldsCountTowardsTheLimit() {
        let input = String(repeating: ",", count: 100) + "\nok\n"
        #expect(ParserTranscript.events(input, maxRecordBytes: 50) == ["e0@1:record_too_large", "r1@2:ok"])
    }

    @Test func unterminatedOversizedQuoteAtEnd() {
        let input = "a\n\"" + String(repeating: "z", count: 100)
        #expect(ParserTranscript.events(input, maxRecordBytes: 50) == ["r0@1:a", "e1@2:unterminated_quote"])
    }

    @Test func errorMessagesNameTheField() {
        var parser = CSVParser()
        var errors: [CSVError] = []
        parser.feed(Array("x,\"abc\"def\n\"open".utf8)) { if case .error(let e) = $0 { errors.append(e) } }
        parser.finish { if case .error(let e) = $0 { errors.append(e) } }
        #expect(
            errors.map(\.message) == [
                "text after the closing quote of field 2",
                "quoted field 1 is not closed before the end of the file",
            ])
    }

    @Test func recordsCanBeKeptAfterTheCallback() {
        var parser = CSVParser()
        var kept: [CSVRecord] = []
        parser.feed(Array("a,b\nc,d\n".utf8)) { if case .record(let r) = $0 { kept.append(r) } }
        parser.finish { _ in }
        #expect(kept.map { $0.bytes } == [Array("ab".utf8), Array("cd".utf8)])
        #expect(kept.map { $0.fieldEnds } == [[1, 2], [1, 2]])
    }
}

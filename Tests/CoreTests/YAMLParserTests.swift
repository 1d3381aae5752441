import Testing

@testable import Core

@Suite struct YAMLParserTests {
    private func parse(_ text: String) throws(ConfigError) -> YAMLNode {
        try YAMLParser.parse(text, file: "vendors.yaml")
    }

    private func error(_ text: String) -> String? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error.description
        }
    }

    private func m(_ line: Int, _ column: Int) -> SourceMark { SourceMark(line: line, column: column) }

    @Test func mappingWithMarksAndQuoting() throws {
        let text = """
            version: 1
            vendors:
              nextgen:
                name: "yes"
                channels: [webhook, 'csv']
                detect:
                  - a
                  - b
            """
        let expected = YAMLNode.mapping(
            [
                YAMLMember(key: "version", keyMark: m(1, 1), value: .scalar("1", quoted: false, mark: m(1, 10))),
                YAMLMember(
                    key: "vendors", keyMark: m(2, 1),
                    value: .mapping(
                        [
                            YAMLMember(
                                key: "nextgen", keyMark: m(3, 3),
                                value: .mapping(
                                    [
                                        YAMLMember(
                                            key: "name", keyMark: m(4, 5),
                                            value: .scalar("yes", quoted: true, mark: m(4, 11))),
                                        YAMLMember(
                                            key: "channels", keyMark: m(5, 5),
                                            value: .sequence(
                                                [
                                                    .scalar("webhook", quoted: false, mark: m(5, 16)),
                                                    .scalar("csv", quoted: true, mark: m(5, 25)),
                                                ], mark: m(5, 15))),
                                        YAMLMember(
                                            key: "detect", keyMark: m(6, 5),
                                            value: .sequence(
                                                [
                                                    .scalar("a", quoted: false, mark: m(7, 9)),
                                                    .scalar("b", quoted: false, mark: m(8, 9)),
                                                ], mark: m(7, 7))),
                                    ], mark: m(4, 5)))
                        ], mark: m(3, 3))),
            ], mark: m(1, 1))
        #expect(try parse(text) == expected)
    }

    @Test(arguments: ["", "# only a comment\n", "\n\n"])
    func emptyDocumentIsEmptyMapping(_ text: String) throws {
        #expect(try parse(text) == .mapping([], mark: m(1, 1)))
    }

    @Test func blockScalarsAndEmptyValues() throws {
        let node = try parse("a: |\n  line one\n  line two\nb:\n")
        guard case .mapping(let members, _) = node else {
            Issue.record("not a mapping")
            return
        }
        #expect(members.map(\.key) == ["a", "b"])
        #expect(members[0].value == .scalar("line one\nline two\n", quoted: false, mark: m(1, 4)))
        #expect(members[1].value == .scalar("", quoted: false, mark: m(4, 3)))
    }

    @Test func singleExplicitDocumentIsAccepted() throws {
        #expect(
            try parse("---\na: 1\n...\n")
                == .mapping(
                    [YAMLMember(key: "a", keyMark: m(2, 1), value: .scalar("1", quoted: false, mark: m(2, 4)))],
                    mark: m(2, 1)))
    }

    @Test(arguments: [
        ("a: 1\nb: 2\na: 3\n", "vendors.yaml:3:1: error: duplicate key 'a' (first at 1:1)"),
        ("x:\n  k: 1\n  k: 2\n", "vendors.yaml:3:3: error: duplicate key 'k' (first at 2:3)"),
        ("{a: 1, a: 2}", "vendors.yaml:1:8: error: duplicate key 'a' (first at 1:2)"),
        (
            "a: 1\n---\nb: 2\n",
            "vendors.yaml:2:1: error: more than one document in the file (only one is read; remove the second '---')"
        ),
        ("a: &x 1\nb: *x\n", "vendors.yaml:1:4: error: anchors ('&x') are not supported; write the value out"),
        ("a: !!str 1\n", "vendors.yaml:1:4: error: tags ('tag:yaml.org,2002:str') are not supported"),
        ("a: !custom {}\n", "vendors.yaml:1:4: error: tags ('!custom') are not supported"),
        ("? [a, b]\n: 1\n", "vendors.yaml:1:3: error: a key must be a single value, found a list"),
        ("{{a: 1}: 2}", "vendors.yaml:1:2: error: a key must be a single value, found a mapping"),
        ("a: b: c\n", "vendors.yaml:1:5: error: mapping values are not allowed in this context"),
        ("a: 1\n  b: 2\n", "vendors.yaml:2:4: error: mapping values are not allowed in this context"),
        (
            "a: [1, 2\n",
            "vendors.yaml:2:1: error: did not find expected ',' or ']' (while parsing a flow sequence at 1:4)"
        ),
        (
            "a:\n  - 1\n  b: 2\n",
            "vendors.yaml:3:3: error: did not find expected '-' indicator (while parsing a block collection at 2:3)"
        ),
        (
            "a: \"open\n",
            "vendors.yaml:2:1: error: found unexpected end of stream (while scanning a quoted scalar at 1:4)"
        ),
        ("a:\tb\n\u{1}", "vendors.yaml:2:1: error: control characters are not allowed (byte 0x1)"),
    ])
    func rejects(_ text: String, _ message: String) {
        #expect(error(text) == message)
    }

    @Test func aliasWithoutAnchorIsRejected() {
        // libyaml itself accepts an alias to an unknown anchor at the event level.
        #expect(
            error("a: *nowhere\n")
                == "vendors.yaml:1:4: error: aliases ('*nowhere') are not supported; write the value out")
    }

    @Test func invalidUTF8PointsAtTheByte() throws {
        let bytes = Array("a: 1\nb: x".utf8) + [0xFF] + Array("\n".utf8)
        #expect(throws: ConfigError(file: "f.yaml", mark: m(2, 5), "invalid leading UTF-8 octet (byte 0xFF)")) {
            try YAMLParser.parse(bytes, file: "f.yaml")
        }
    }

    @Test func billionLaughsIsRejectedAtTheFirstAnchor() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].enumerated() {
            let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i]
            text += "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
        }
        #expect(error(text) == "vendors.yaml:1:4: error: anchors ('&a') are not supported; write the value out")
    }

    @Test func nestingDeeperThanTheLimitIsRejected() throws {
        let ok = String(repeating: "[", count: YAMLParser.maxDepth) + String(repeating: "]", count: YAMLParser.maxDepth)
        _ = try parse(ok)
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(error(deep) == "vendors.yaml:1:65: error: nesting is deeper than 64 levels")
    }

    @Test func inputLargerThanTheLimitIsRejected() {
        let big = "a: \"" + String(repeating: "x", count: YAMLParser.maxBytes) + "\"\n"
        #expect(error(big) == "vendors.yaml: error: file is larger than 1 MiB (\(YAMLParser.maxBytes + 6) bytes)")
    }
}

import Foundation
import Testing

@testable import Core

@Suite struct JSONParserTests {
    @Test(arguments: [
        #"{"a":1,"b":[true,false,null],"c":"x\"y\\z\n\u00e9\ud83d\ude00","d":-1.5e3,"e":{}}"#,
        #"[]"#, #""plain""#, #"0"#, #"-0.25"#, #"  [1 , 2 ]  "#, #"{"nested":{"deeper":[{"k":"v"}]}}"#,
        #"["\u0041\u00DF\u6771\uD834\uDD1E"]"#, #"{"emoji":"😀","tab":"\t"}"#,
    ])
    func agreesWithFoundation(text: String) throws {
        let ours = try JSONParser.parse(text)
        let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        #expect(ours == JSONValue(any: theirs))
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "{\"a\" 1}", "01", "1.", "-", "tru", "nul", "\"abc", "\"\\x\"", "\"\\ud800\"",
        "[1] 2", "{'a':1}", "\"a\u{01}b\"", "NaN", "1e999",
    ])
    func rejectsInvalidJSON(text: String) {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(text) }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONParser.parse(ok) != .null)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
    }

    @Test func roundTripsThroughTheWriter() throws {
        let v: JSONValue = .object(["a": .array([.number(1), .string("q\"\\\n")]), "b": .bool(true), "c": .null])
        #expect(try JSONParser.parse(v.jsonText) == v)
    }
}

import Testing

@testable import Core

@Suite struct StringASCIITests {
    @Test(arguments: [
        ("application/json", "json", true),
        ("Application/JSON; charset=utf-8", "json", true),
        ("application/vnd.api+Json", "JSON", true),
        ("text/plain", "json", false),
        ("js", "json", false),
        ("", "json", false),
        ("anything", "", true),
        ("APPLICATION/JSOñ", "json", false),
    ])
    func containsIgnoringASCIICase(_ text: String, _ needle: String, _ expected: Bool) {
        #expect(text.containsIgnoringASCIICase(needle) == expected)
    }
}

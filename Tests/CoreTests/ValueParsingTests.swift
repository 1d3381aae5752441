import Foundation
import Testing

@testable import Core

@Suite("Value parsing")
struct ValueParsingTests {
    @Test(arguments: [
        ("true", true), ("TRUE", true), ("Yes", true), ("y", true), ("1", true), ("t", true), ("on", true),
        ("false", false), ("No", false), ("N", false), ("0", false), ("f", false), ("off", false),
    ])
    func booleans(text: String, expected: Bool) {
        #expect(ValueParsing.boolean(text) == expected)
    }

    @Test(arguments: ["", "maybe", "2", "yess", "-1", "truely"])
    func notBooleans(text: String) {
        #expect(ValueParsing.boolean(text) == nil)
    }

    @Test(arguments: [
        ("13.5", "13.5"), ("$45", "45"), ("1,234.50", "1234.5"), ("-2.25", "-2.25"), ("+7", "7"),
        ("0.10", "0.1"), ("1,000,000", "1000000"), ("75", "75"), ("12345678901234567890.5", "12345678901234567890.5"),
    ])
    func decimals(text: String, expected: String) throws {
        let value = try #require(ValueParsing.decimal(text))
        #expect(value == Decimal(string: expected, locale: Locale(identifier: "en_US_POSIX")))
    }

    @Test(arguments: ["", "abc", "13,5", "1,23", "12,3456", "1.2.3", "$", "--5", "5-", "4e5", "1 000", ",100"])
    func notDecimals(text: String) {
        #expect(ValueParsing.decimal(text) == nil)
        #expect(ValueParsing.number(text) == nil)
    }

    @Test(arguments: [("45", 45), ("45.0", 45), ("-3", -3), ("$50,000", 50000), ("007", 7)])
    func integers(text: String, expected: Int) {
        #expect(ValueParsing.integer(text) == expected)
    }

    @Test(arguments: ["45.5", "x", "", "99999999999999999999"])
    func notIntegers(text: String) {
        #expect(ValueParsing.integer(text) == nil)
    }

    @Test(arguments: [("13.5", 13.5), ("999999", 999999), ("0.1", 0.1), ("1,250.75", 1250.75)])
    func numbers(text: String, expected: Double) {
        #expect(ValueParsing.number(text) == expected)
    }

    @Test(arguments: [
        ("70", "5'10\""), ("60", "5'0\""), ("77 in", "6'5\""), ("70.4", "5'10\""), ("5'10\"", "5'10\""),
        ("5' 10\"", "5'10\""), ("5'10", "5'10\""), ("5 ft 10 in", "5'10\""), ("6'", "6'0\""), ("5’ 4”", "5'4\""),
        ("5ft", "5'0\""), ("6 feet 1 inch", "6'1\""),
    ])
    func heights(text: String, expected: String) {
        #expect(ValueParsing.height(text) == expected)
    }

    // `510` is what a formatted 5'10" becomes when its punctuation is stripped: it must
    // not turn into 42'6".
    @Test(arguments: ["510", "5'13\"", "tall", "", "0", "12", "5.5'", "5'10\" extra", "180 cm"])
    func notHeights(text: String) {
        #expect(ValueParsing.height(text) == nil)
    }

    @Test(arguments: [
        ("65", 65), ("1m 05s", 65), ("1m", 60), ("45s", 45), ("1m05s", 65), ("2 min 5 sec", 125),
        ("1h 2m 3s", 3723), ("1:05", 65), ("1:02:03", 3723), ("65.0", 65), ("0", 0), ("10M 3S", 603),
    ])
    func durations(text: String, expected: Int) {
        #expect(ValueParsing.durationSeconds(text) == expected)
    }

    @Test(arguments: ["", "abc", "1x", "-5", "1:5", "1:2:3:4", "m", "1.5m"])
    func notDurations(text: String) {
        #expect(ValueParsing.durationSeconds(text) == nil)
    }

    @Test(arguments: [
        ("o'brien-SMITH", "O'Brien-Smith"), ("MARY ann", "Mary Ann"), ("élodie", "Élodie"), ("a.b", "A.B"),
    ])
    func titleCase(text: String, expected: String) {
        #expect(ValueParsing.titleCase(text) == expected)
    }

    @Test func phoneAndDigits() {
        #expect(ValueParsing.digits("(555) 123-4567") == "5551234567")
        #expect(ValueParsing.phone("+1 (555) 123-4567") == "+15551234567")
        #expect(ValueParsing.phone("555.123.4567") == "5551234567")
        #expect(ValueParsing.phone("n/a") == "n/a")
    }

    @Test(arguments: [
        ("m", "Male"), ("MALE", "Male"), ("Male", "Male"), ("f", "Female"), ("female", "Female"), ("F", "Female"),
    ])
    func genders(text: String, expected: String) {
        #expect(ValueParsing.gender(text) == expected)
    }

    @Test func notGender() {
        #expect(ValueParsing.gender("x") == nil)
        #expect(ValueParsing.gender("") == nil)
    }

    @Test(arguments: [
        ("[]", []), ("[\"asthma\"]", ["asthma"]), ("[\"asthma\", \"copd\"]", ["asthma", "copd"]),
        ("asthma, copd", ["asthma", "copd"]), ("asthma", ["asthma"]), ("[ \"a\\\"b\" , \"\\u00e9\" ]", ["a\"b", "é"]),
        ("[asthma, copd]", ["asthma", "copd"]), ("[\"\", null]", []),
    ])
    func lists(text: String, expected: [String]) {
        #expect(ValueParsing.list(text) == expected)
    }

    @Test(arguments: ["[", "[\"a\"", "[\"a\"] x", "[\"a\" \"b\"]", "[\"unterminated]"])
    func malformedLists(text: String) {
        #expect(ValueParsing.list(text) == nil)
    }

    @Test func listFromJSON() {
        #expect(ValueParsing.list(.array([.string(" asthma "), .null, .string("")])) == ["asthma"])
        #expect(ValueParsing.list(.string("[]")) == [])
        #expect(ValueParsing.list(.array([.object([:])])) == nil)
    }

    @Test(arguments: [
        ("tx", "TX"), ("TX", "TX"), ("Texas", "TX"), ("new  york", "NY"), ("District of Columbia", "DC"), ("pr", "PR"),
    ])
    func states(text: String, expected: String) {
        #expect(USState.code(text) == expected)
    }

    @Test(arguments: ["XX", "T", "Texass", ""])
    func notStates(text: String) {
        #expect(USState.code(text) == nil)
    }
}

@Suite("Date parsing")
struct DateParsingTests {
    static let newYork = ZoneOffsets(TimeZone(identifier: "America/New_York")!)

    @Test(arguments: [
        ("1980-01-02", "1980-01-02"), ("1980/1/2", "1980-01-02"), ("01/02/1980", "1980-01-02"),
        ("1-2-1980", "1980-01-02"), ("12.31.1999", "1999-12-31"), ("2000-02-29", "2000-02-29"),
        ("1980-01-02T00:00:00Z", "1980-01-02"),
    ])
    func datesOfBirth(text: String, expected: String) {
        #expect(CivilDate(loose: text)?.description == expected)
    }

    @Test(arguments: ["1900-02-29", "02/30/1980", "13/01/1980", "01/02/80", "1980-01", "19800102", "1980-01/02", "x"])
    func notDatesOfBirth(text: String) {
        #expect(CivilDate(loose: text) == nil)
    }

    @Test(arguments: [-719_468, -1, 0, 1, 11_016, 20_000, 2_932_896])
    func civilDaysRoundTrip(days: Int) throws {
        let date = CivilDate(daysSinceEpoch: days)
        #expect(date.daysSinceEpoch == days)
        let gregorian = Calendar(identifier: .gregorian)
        var utc = gregorian
        utc.timeZone = TimeZone(identifier: "UTC")!
        let c = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
        if days > -141_427 {  // Foundation switches to the Julian calendar before 1582
            #expect([c.year, c.month, c.day] == [date.year, date.month, date.day])
        }
    }

    @Test(arguments: [
        ("2025-05-03T14:07:09.123Z", 1_746_281_229.123), ("2025-05-03T14:07:09Z", 1_746_281_229),
        ("2025-05-03T10:07:09-04:00", 1_746_281_229), ("2025-05-03T19:37:09+0530", 1_746_281_229),
        ("2025-05-03 14:07:09z", 1_746_281_229), ("2025-05-03T14:07Z", 1_746_281_220),
        ("2025-05-03T10:07:09", 1_746_281_229),  // no offset: read in New York (EDT)
        ("2025-01-03T09:07:09", 1_735_913_229),  // and in winter, EST
        ("2025-05-03", 1_746_244_800),  // midnight in New York
    ])
    func isoTimestamps(text: String, expected: Double) throws {
        let date = try #require(Timestamp.parse(text, zone: Self.newYork))
        #expect(abs(date.timeIntervalSince1970 - expected) < 0.0005)
    }

    @Test(arguments: [
        "2025-13-01T00:00:00Z", "2025-05-03T24:00:00Z", "2025-05-03T14:07:09+25:00", "2025-05-03T14", "05/03/2025",
        "2025-05-03Tx",
    ])
    func notIsoTimestamps(text: String) {
        #expect(Timestamp.parse(text, zone: .utc) == nil)
    }

    @Test func formatsRFC3339() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_746_281_229)) == "2025-05-03T14:07:09Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_746_281_229.123)) == "2025-05-03T14:07:09.123Z")
        #expect(Timestamp.format(Date(timeIntervalSince1970: -1)) == "1969-12-31T23:59:59Z")
    }

    @Test func newYorkOffsets() {
        let ny = Self.newYork
        // 2025-03-09 02:30 does not exist in New York: read with EST, it is 03:30 EDT.
        let gap = Int64(CivilDate(year: 2025, month: 3, day: 9)!.daysSinceEpoch) * 86_400 + 2 * 3600 + 1800
        #expect(ny.utcSeconds(fromLocal: gap) == gap + 5 * 3600)
        // 2025-11-02 01:30 happens twice: the first (EDT) is taken.
        let twice = Int64(CivilDate(year: 2025, month: 11, day: 2)!.daysSinceEpoch) * 86_400 + 3600 + 1800
        #expect(ny.utcSeconds(fromLocal: twice) == twice + 4 * 3600)
        // Outside the table, Foundation answers.
        #expect(ny.offset(atUTC: 4_200_000_000) == -5 * 3600)
        #expect(ZoneOffsets.utc.offset(atUTC: 0) == 0)
    }

    @Test(arguments: [
        ("MM-DD-YYYY HH:mm:ss", "05-03-2025 14:07:09", "2025-05-03", 50_829),
        ("MM-DD-YYYY HH:mm:ss", "5-3-2025   14:07:09", "2025-05-03", 50_829),
        ("MM/DD/YYYY hh:mm A", "05/03/2025 2:07 pm", "2025-05-03", 50_820),
        ("MM/DD/YYYY hh:mm A", "05/03/2025 12:07 AM", "2025-05-03", 420),
        ("YYYY-MM-DDTHH:mm:ss.SSS", "2025-05-03T14:07:09.5", "2025-05-03", 50_829),
        ("DD.MM.YYYY", "03.05.2025", "2025-05-03", 0),
    ])
    func patterns(format: String, text: String, date: String, seconds: Int) throws {
        let reading = try #require(try DatePattern(format).parse(text))
        #expect(reading.date.description == date)
        #expect(reading.secondsOfDay == seconds)
    }

    @Test(arguments: [
        ("MM-DD-YYYY", "13-01-2025"), ("MM-DD-YYYY", "02-30-2025"), ("MM-DD-YYYY", "05-03-25"),
        ("MM-DD-YYYY HH:mm", "05-03-2025 24:00"), ("MM-DD-YYYY", "05/03/2025"), ("MM-DD-YYYY", "05-03-2025 x"),
        ("hh:mm A MM-DD-YYYY", "13:00 PM 05-03-2025"),
    ])
    func patternMismatches(format: String, text: String) throws {
        #expect(try DatePattern(format).parse(text) == nil)
    }

    @Test(arguments: [
        "MM-DD-YY", "YYYY-MM", "MM-DD-YYYY hh:mm", "MM-DD-YYYY HH:ss", "YYYY-MM-DD-YYYY", "MM-DD-YYYY HH:mm:ss A",
    ])
    func badPatterns(format: String) {
        #expect(throws: DatePattern.Problem.self) { try DatePattern(format) }
    }
}

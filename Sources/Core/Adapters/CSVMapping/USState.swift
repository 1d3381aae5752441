/// United States postal codes for states, DC, territories and military mail.
package enum USState {
    /// The two-letter code for a code (`tx`, `TX`) or a full name (`Texas`, `new  york`);
    /// nil for anything else.
    package static func code(_ text: String) -> String? {
        if text.utf8.count == 2 {
            let upper = text.uppercased()
            return codes.contains(upper) ? upper : nil
        }
        let key = text.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
        return byName[key] ?? byName[key.replacingOccurrences(of: ".", with: "")]
    }

    private static let byName: [String: String] = [
        "alabama": "AL",
        "alaska": "AK",
        "arizona": "AZ",
        "arkansas": "AR",
        "california": "CA",
        "colorado": "CO",
        "connecticut": "CT",
        "delaware": "DE",
        "florida": "FL",
        "georgia": "GA",
        "hawaii": "HI",
        "idaho": "ID",
        "illinois": "IL",
        "indiana": "IN",
        "iowa": "IA",
        "kansas": "KS",
        "kentucky": "KY",
        "louisiana": "LA",
        "maine": "ME",
        "maryland": "MD",
        "massachusetts": "MA",
        "michigan": "MI",
        "minnesota": "MN",
        "mississippi": "MS",
        "missouri": "MO",
        "montana": "MT",
        "nebraska": "NE",
        "nevada": "NV",
        "new hampshire": "NH",
        "new jersey": "NJ",
        "new mexico": "NM",
        "new york": "NY",
        "north carolina": "NC",
        "north dakota": "ND",
        "ohio": "OH",
        "oklahoma": "OK",
        "oregon": "OR",
        "pennsylvania": "PA",
        "rhode island": "RI",
        "south carolina": "SC",
        "south dakota": "SD",
        "tennessee": "TN",
        "texas": "TX",
        "utah": "UT",
        "vermont": "VT",
        "virginia": "VA",
        "washington": "WA",
        "west virginia": "WV",
        "wisconsin": "WI",
        "wyoming": "WY",
        "district of columbia": "DC",
        "puerto rico": "PR",
        "u.s. virgin islands": "VI",
        "guam": "GU",
        "american samoa": "AS",
        "northern mariana islands": "MP",
        "armed forces americas": "AA",
        "armed forces europe": "AE",
        "armed forces pacific": "AP",
        "us virgin islands": "VI",
        "virgin islands": "VI",
        "washington dc": "DC",
        "washington, dc": "DC",
    ]

    private static let codes = Set(byName.values)
}

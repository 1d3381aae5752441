/// The header block of one part, read: `Content-Disposition: form-data; name="file";
/// filename="a.csv"` and `Content-Type`. Other headers are ignored.
struct MultipartPartHeaders {
    var name: String
    var filename: String?
    var contentType: String?

    /// Reads a header block (without its final blank line). Folded lines (a line
    /// starting with a blank continues the previous one) are accepted.
    init(_ block: UnsafeRawBufferPointer) throws(MultipartError) {
        let text = String(decoding: block, as: UTF8.self)
        var lines: [Substring] = []
        for line in text.split(separator: "\r\n", omittingEmptySubsequences: false) {
            if let first = line.first, first == " " || first == "\t", let previous = lines.popLast() {
                lines.append(previous + " " + line.drop { $0 == " " || $0 == "\t" })
            } else {
                lines.append(line)
            }
        }
        var disposition: HeaderValue?
        var contentType: String?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw Self.malformed("a part header line has no colon")
            }
            let field = line[..<colon].trimmingBlanks().lowercased()
            let value = line[line.index(after: colon)...]
            switch field {
            case "content-disposition" where disposition == nil:
                guard let parsed = HeaderValue(value) else {
                    throw Self.malformed("a part's Content-Disposition cannot be read")
                }
                disposition = parsed
            case "content-type" where contentType == nil:
                let v = value.trimmingBlanks()
                contentType = v.isEmpty ? nil : String(v)
            default:
                continue
            }
        }
        guard let disposition, disposition.type == "form-data" else {
            throw Self.malformed("a part has no 'Content-Disposition: form-data' header")
        }
        guard let name = disposition["name"] else {
            throw Self.malformed("a part's Content-Disposition has no name")
        }
        self.name = name
        self.filename = disposition.extendedValue("filename*") ?? disposition["filename"]
        self.contentType = contentType
    }

    private static func malformed(_ what: String) -> MultipartError {
        MultipartError(.malformedHeaders, "The multipart body is malformed: \(what).")
    }
}

/// A header value of the form `type; name=value; name="quoted value"` (RFC 9110 §5.6.6).
struct HeaderValue {
    /// The part before the first `;`, trimmed and lowercased.
    var type: String
    /// Parameters in order, names lowercased, quoted values unquoted.
    var parameters: [(name: String, value: String)]

    /// Nil when a quoted value is not closed.
    init?(_ text: Substring) {
        let bytes = Array(text.utf8)
        var i = 0
        func blanks() { while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        func until(_ stops: Set<UInt8>) -> String {
            let start = i
            while i < bytes.count, !stops.contains(bytes[i]) { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self).trimmingBlanks()
        }
        let semicolon = UInt8(ascii: ";")
        let equals = UInt8(ascii: "=")
        let quote = UInt8(ascii: "\"")
        let backslash = UInt8(ascii: "\\")
        type = until([semicolon]).lowercased()
        parameters = []
        while i < bytes.count {
            i += 1  // the ';'
            blanks()
            let name = until([semicolon, equals]).lowercased()
            var value = ""
            if i < bytes.count, bytes[i] == equals {
                i += 1
                blanks()
                if i < bytes.count, bytes[i] == quote {
                    i += 1
                    var out: [UInt8] = []
                    var closed = false
                    while i < bytes.count {
                        let b = bytes[i]
                        // Browsers send Windows paths with bare backslashes, so only
                        // `\"` and `\\` are escapes.
                        if b == backslash, i + 1 < bytes.count, bytes[i + 1] == quote || bytes[i + 1] == backslash {
                            out.append(bytes[i + 1])
                            i += 2
                            continue
                        }
                        i += 1
                        if b == quote {
                            closed = true
                            break
                        }
                        out.append(b)
                    }
                    guard closed else { return nil }
                    value = String(decoding: out, as: UTF8.self)
                    _ = until([semicolon])
                } else {
                    value = until([semicolon])
                }
            }
            if !name.isEmpty { parameters.append((name, value)) }
        }
    }

    /// The first parameter called `name` (lowercase).
    subscript(name: String) -> String? { parameters.first { $0.name == name }?.value }

    /// An RFC 8187 extended value (`filename*=UTF-8''na%C3%AFve.csv`), decoded; nil when
    /// absent or not UTF-8.
    func extendedValue(_ name: String) -> String? {
        guard let raw = self[name] else { return nil }
        let pieces = raw.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
        guard pieces.count == 3, pieces[0].lowercased() == "utf-8" else { return nil }
        var out: [UInt8] = []
        var it = Array(pieces[2].utf8)[...]
        while let b = it.popFirst() {
            if b == UInt8(ascii: "%"), it.count >= 2,
                let v = UInt8(String(decoding: it.prefix(2), as: UTF8.self), radix: 16)
            {
                out.append(v)
                it = it.dropFirst(2)
            } else {
                out.append(b)
            }
        }
        return String(validating: out, as: UTF8.self)
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate func trimmingBlanks() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !blank($0) }) else { return "" }
        let last = lastIndex(where: { !blank($0) })!
        return String(self[first...last])
    }
}

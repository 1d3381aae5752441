import Foundation
import Testing

@testable import Core

/// A part as the tests compare it: its headers and its whole body.
private struct Part: Equatable, CustomStringConvertible {
    var name: String
    var filename: String?
    var contentType: String?
    var body: [UInt8]

    var description: String {
        "\(name) \(filename ?? "-") \(contentType ?? "-") \(String(decoding: body, as: UTF8.self))"
    }
}

/// Feeds `chunks` and reassembles the events into parts, checking their order.
private func parse(
    _ chunks: [[UInt8]], boundary: String = "XyZ", limits: MultipartParser.Limits = .init()
) throws -> [Part] {
    var parser = try MultipartParser(boundary: boundary, limits: limits)
    var parts: [Part] = []
    var open = false
    for chunk in chunks {
        for event in try parser.feed(chunk) {
            switch event {
            case .partBegin(let name, let filename, let contentType):
                #expect(!open, "partBegin inside a part")
                parts.append(Part(name: name, filename: filename, contentType: contentType, body: []))
                open = true
            case .partData(let bytes):
                #expect(open && !bytes.isEmpty, "partData outside a part or empty")
                parts[parts.count - 1].body += bytes
            case .partEnd:
                #expect(open, "partEnd outside a part")
                open = false
            }
        }
    }
    try parser.finish()
    #expect(!open)
    return parts
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func code(_ body: () throws -> Any) -> MultipartError.Code? {
    do {
        _ = try body()
        return nil
    } catch let error as MultipartError {
        return error.code
    } catch {
        return nil
    }
}

/// Two file fields and a text field, a preamble and an epilogue; the first file holds
/// CR LF and `--XyZ`-like prefixes that are not boundaries.
private let sample = bytes(
    "This is the preamble; it is ignored.\r\n"
        + "--XyZ\r\n"
        + "Content-Disposition: form-data; name=\"vendor\"\r\n\r\n"
        + "marketplace\r\n"
        + "--XyZ  \r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n"
        + "Content-Type: text/csv\r\n\r\n"
        + "a,b\r\n1,2\r\n--XyQ\r\n\r\n-\r\r\n--Xy\r\n--\r\nend\r\n"
        + "--XyZ\r\n"
        + "content-disposition: form-data; name=\"other\"; filename=\"b \\\"q\\\".csv\"\r\n\r\n"
        + "\r\n"
        + "--XyZ--\r\n"
        + "This is the epilogue, ignored too.\r\n--XyZ\r\nrubbish")

private let expected = [
    Part(name: "vendor", filename: nil, contentType: nil, body: bytes("marketplace")),
    Part(
        name: "file", filename: "a.csv", contentType: "text/csv",
        body: bytes("a,b\r\n1,2\r\n--XyQ\r\n\r\n-\r\r\n--Xy\r\n--\r\nend")),
    Part(name: "other", filename: "b \"q\".csv", contentType: nil, body: bytes("")),
]

@Suite("multipart parser")
struct MultipartParserTests {
    @Test func wholeBody() throws {
        #expect(try parse([sample]) == expected)
    }

    @Test func everySplitPoint() throws {
        for i in 0...sample.count {
            let parts = try parse([Array(sample[..<i]), Array(sample[i...])])
            #expect(parts == expected, "split at \(i)")
        }
    }

    @Test func byteByByte() throws {
        #expect(try parse(sample.map { [$0] }) == expected)
    }

    @Test func everyPairOfSplitPointsInTheFilePart() throws {
        let start = sample.count - 160
        for i in start..<sample.count {
            for j in i..<min(sample.count, i + 24) {
                let parts = try parse([Array(sample[..<i]), Array(sample[i..<j]), Array(sample[j...])])
                #expect(parts == expected, "split at \(i), \(j)")
            }
        }
    }

    @Test func boundaryOnTheFirstLineWithoutPreamble() throws {
        let body = bytes("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--XyZ--")
        #expect(try parse([body]) == [Part(name: "a", body: bytes("1"))])
    }

    @Test func partWithoutHeadersIsMalformed() {
        let body = bytes("--XyZ\r\n\r\nx\r\n--XyZ--")
        #expect(code { try parse([body]) } == .malformedHeaders)
    }

    @Test(arguments: [
        ("multipart/form-data; boundary=abc", "abc"),
        ("multipart/form-data; boundary=\"a b;c\"", "a b;c"),
        (
            "Multipart/Form-Data ;charset=utf-8;  BOUNDARY = ----WebKitFormBoundary7MA4YWxk",
            "----WebKitFormBoundary7MA4YWxk"
        ),
    ])
    func boundaryFromContentType(header: String, boundary: String) throws {
        #expect(try MultipartParser.boundary(fromContentType: header) == boundary)
    }

    @Test(arguments: [
        ("multipart/form-data", MultipartError.Code.noBoundary),
        ("multipart/form-data; boundary=", .noBoundary),
        ("multipart/form-data; boundary=\"\"", .noBoundary),
        ("multipart/form-data; boundary=\"abc", .noBoundary),
        ("text/csv; boundary=abc", .notMultipart),
        ("multipart/form-data; boundary=" + String(repeating: "b", count: 71), .invalidBoundary),
    ])
    func badContentType(header: String, expected: MultipartError.Code) {
        #expect(code { try MultipartParser.boundary(fromContentType: header) } == expected)
    }

    @Test func quotedBoundaryParses() throws {
        let boundary = try MultipartParser.boundary(fromContentType: "multipart/form-data; boundary=\"q:b\"")
        let body = bytes("--q:b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv\r\n--q:b--\r\n")
        #expect(try parse([body], boundary: boundary) == [Part(name: "f", body: bytes("v"))])
    }

    @Test(arguments: [
        // No closing boundary.
        ("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nabc", MultipartError.Code.missingClosingBoundary),
        ("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nabc\r\n--XyZ", .missingClosingBoundary),
        ("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nabc\r\n--XyZ-", .missingClosingBoundary),
        ("no boundary anywhere", .missingClosingBoundary),
        ("", .missingClosingBoundary),
        // Headers that cannot be read.
        ("--XyZ\r\nContent-Type: text/plain\r\n\r\nx\r\n--XyZ--", .malformedHeaders),
        ("--XyZ\r\nContent-Disposition: form-data\r\n\r\nx\r\n--XyZ--", .malformedHeaders),
        ("--XyZ\r\nContent-Disposition: attachment; name=a\r\n\r\nx\r\n--XyZ--", .malformedHeaders),
        ("--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nx\r\n--XyZ--", .malformedHeaders),
        ("--XyZ\r\nno colon here\r\n\r\nx\r\n--XyZ--", .malformedHeaders),
        // Boundary lines with something after the boundary.
        ("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--XyZ-x\r\n", .malformedBoundaryLine),
        ("--XyZ junk\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--XyZ--", .malformedBoundaryLine),
    ])
    func rejects(body: String, expected: MultipartError.Code) {
        #expect(code { try parse([bytes(body)]) } == expected)
        // The same at every split point: the error does not depend on chunking.
        let b = bytes(body)
        for i in 0...b.count {
            #expect(code { try parse([Array(b[..<i]), Array(b[i...])]) } == expected, "split at \(i)")
        }
    }

    @Test func hugeHeaderBlock() {
        let filler = "X-Filler: " + String(repeating: "a", count: 9000) + "\r\n"
        let body = bytes("--XyZ\r\n" + filler + "Content-Disposition: form-data; name=a\r\n\r\nx\r\n--XyZ--")
        #expect(code { try parse([body]) } == .headerTooLarge)
        // Also when the blank line never comes: the parser stops holding bytes at the limit.
        let endless = (0..<200).map { _ in
            bytes("X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n")
        }
        #expect(code { try parse([bytes("--XyZ\r\n")] + endless) } == .headerTooLarge)
    }

    @Test func tooManyParts() throws {
        let part = "--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n"
        let limits = MultipartParser.Limits(maxParts: 3)
        #expect(try parse([bytes(String(repeating: part, count: 3) + "--XyZ--")], limits: limits).count == 3)
        #expect(
            code { try parse([bytes(String(repeating: part, count: 4) + "--XyZ--")], limits: limits) } == .tooManyParts)
    }

    @Test func partTooLarge() throws {
        let limits = MultipartParser.Limits(maxPartBytes: 10)
        let ok = bytes("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n0123456789\r\n--XyZ--")
        #expect(try parse([ok], limits: limits).first?.body.count == 10)
        let big = bytes("--XyZ\r\nContent-Disposition: form-data; name=a\r\n\r\n0123456789A\r\n--XyZ--")
        #expect(code { try parse([big], limits: limits) } == .partTooLarge)
    }

    @Test func extendedFilenameAndFoldedHeader() throws {
        let body = bytes(
            "--XyZ\r\nContent-Disposition: form-data; name=\"f\";\r\n filename=\"plain.csv\"; filename*=UTF-8''na%C3%AFve.csv\r\n"
                + "Content-Type:text/csv\r\n\r\nz\r\n--XyZ--")
        #expect(
            try parse([body]) == [Part(name: "f", filename: "naïve.csv", contentType: "text/csv", body: bytes("z"))])
    }

    @Test func windowsPathKeepsItsBackslashes() throws {
        let body = bytes(
            "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"C:\\dir\\a.csv\"\r\n\r\nz\r\n--XyZ--")
        #expect(try parse([body]).first?.filename == "C:\\dir\\a.csv")
    }

    @Test func feedAfterFinishOrErrorIsRejected() throws {
        var parser = try MultipartParser(boundary: "XyZ")
        _ = try parser.feed(bytes("--XyZ--"))
        try parser.finish()
        #expect(code { try parser.feed(bytes("x")) } == .finished)
        var failed = try MultipartParser(boundary: "XyZ")
        #expect(code { try failed.feed(bytes("--XyZ\r\nbad\r\n\r\n")) } == .malformedHeaders)
        #expect(code { try failed.feed(bytes("--XyZ--")) } == .finished)
    }

    /// Data is passed on as it arrives: after a chunk of a file part, all but a possible
    /// boundary prefix has been emitted, so a large file is never held.
    @Test func streamsWithoutBuffering() throws {
        var parser = try MultipartParser(boundary: "XyZ")
        _ = try parser.feed(bytes("--XyZ\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\n"))
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20) + bytes("\r\n--X")
        var emitted = 0
        for _ in 0..<8 {
            for case .partData(let d) in try parser.feed(chunk) { emitted += d.count }
        }
        // Everything except the final "\r\n--X" (5 bytes) that might begin the boundary.
        #expect(emitted == 8 * chunk.count - 5)
        _ = try parser.feed(bytes("yZ--"))
        try parser.finish()
    }

    @Test func throughput() throws {
        // A CSV-like file part with CR LF line ends, fed in 64 KiB chunks.
        let line = bytes("12345,John,Smith,john@example.com,+15551234567,123 Main St,Springfield,IL,62701\r\n")
        var file: [UInt8] = []
        while file.count < 64 << 20 { file += line }
        let boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW"
        let head = bytes("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n")
        let body = head + file + bytes("\r\n--\(boundary)--\r\n")
        var parser = try MultipartParser(boundary: boundary)
        let start = ContinuousClock.now
        var total = 0
        try body.withUnsafeBytes { raw in
            var i = 0
            while i < raw.count {
                let end = min(raw.count, i + 65_536)
                for case .partData(let d) in try parser.feed(UnsafeRawBufferPointer(rebasing: raw[i..<end])) {
                    total += d.count
                }
                i = end
            }
        }
        try parser.finish()
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(body.count) / seconds / 1e6
        print("multipart throughput: \(Int(rate)) MB/s over \(body.count >> 20) MiB")
        #expect(total == file.count)
    }
}

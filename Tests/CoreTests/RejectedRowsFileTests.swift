import Foundation
import Testing

@testable import Core

@Suite("RejectedRowsFile")
struct RejectedRowsFileTests {
    static let names = FieldNames(["first_name", "phone", "note"])

    static func row(_ n: Int, _ message: String = "The record has no phone, email or lead_id.") -> ImportReply.RowError
    {
        ImportReply.RowError(row: n, line: n + 1, message: message)
    }

    static func text(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("", ""),
        ("=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""),
        ("+15551234567", "'+15551234567"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "\"'\rcmd\""),
        ("a = b", "a = b"),
        ("Spring, health", "\"Spring, health\""),
        ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("two\r\nlines", "\"two\r\nlines\""),
        ("one\nline feed", "\"one\nline feed\""),
        // A quote with a combining mark is one Character, still a quote byte to CSV.
        ("x\"\u{301}", "\"x\"\"\u{301}\""),
    ])
    func cellIsNeutralisedAndQuoted(raw: String, expected: String) {
        #expect(RejectedRowsFile.cell(raw) == expected)
    }

    @Test func everyRowWithItsValuesAndAHeaderOfTheFilesColumns() throws {
        let dir = TemporaryDirectory()
        let file = try RejectedRowsFile(path: dir.file("r.csv"), createEmpty: false, permissions: 0o600)
        #expect(!file.exists)
        file.write(Self.row(2), names: Self.names, values: ["=cmd()", "", "two\r\nlines"])
        file.write(Self.row(7, "bad, row"), names: nil, values: nil)
        #expect(file.exists)
        try file.close()
        #expect(file.rows == 2)
        #expect(
            try Self.text(file.path)
                == "row,line,reason,first_name,phone,note\r\n"
                + "2,3,\"The record has no phone, email or lead_id.\",'=cmd(),,\"two\r\nlines\"\r\n"
                + "7,8,\"bad, row\"\r\n")
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func madeAtTheFirstRowLeavesNoFileWhenNothingIsRejected() throws {
        let dir = TemporaryDirectory()
        let file = try RejectedRowsFile(path: dir.file("r.csv"), createEmpty: false)
        try file.close()
        #expect(!file.exists)
        #expect(!FileManager.default.fileExists(atPath: dir.file("r.csv")))
    }

    @Test func madeNowHoldsTheHeaderEvenWhenNothingIsRejected() throws {
        let dir = TemporaryDirectory()
        let file = try RejectedRowsFile(path: dir.file("errors.csv"))
        #expect(file.exists)
        try file.close()
        #expect(try Self.text(dir.file("errors.csv")) == "row,line,reason\r\n")
    }

    @Test func rowsPastTheLimitAreCountedAndTheLastLineSaysSo() throws {
        let dir = TemporaryDirectory()
        let file = try RejectedRowsFile(path: dir.file("r.csv"), createEmpty: false, byteLimit: 4096)
        for n in 1...1000 { file.write(Self.row(n), names: Self.names, values: ["Ann", "", "x"]) }
        try file.close()
        #expect(file.rows > 10)
        #expect(file.rows + file.rowsLeftOut == 1000)
        let lines = try Self.text(file.path).split(separator: "\r\n", omittingEmptySubsequences: false)
        #expect(lines.count == 1 + file.rows + 1 + 1)  // header, rows, the note, the final CRLF
        #expect(
            lines[lines.count - 2]
                == ",,\(file.rowsLeftOut) more rejected rows are left out: this file reached its size limit.")
        #expect(try Self.text(file.path).utf8.count < 4096 + 200)
    }

    @Test func aPathThatCannotBeMadeFailsNowOrAtClose() throws {
        let dir = TemporaryDirectory()
        let missing = dir.file("no/such/dir/r.csv")
        #expect(throws: ImportError.self) { try RejectedRowsFile(path: missing) }
        let later = try RejectedRowsFile(path: missing, createEmpty: false)
        later.write(Self.row(1), names: Self.names, values: ["a", "b", "c"])
        #expect(!later.exists)
        let error = #expect(throws: ImportError.self) { try later.close() }
        #expect(error?.code == .io)
    }
}

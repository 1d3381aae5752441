import Foundation
import Testing

@testable import Core

@Suite("CSVFileReader")
struct CSVFileReaderTests {
    /// A fresh file in a fresh temporary directory, removed by the caller.
    static func write(_ bytes: [UInt8]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent("leads.csv")
        try Data(bytes).write(to: url)
        return url
    }

    static func readAll(_ reader: CSVFileReader) throws -> [CSVTable.Event] {
        var events: [CSVTable.Event] = []
        var lastBytes = 0
        while let event = try reader.next() {
            #expect(reader.bytesRead >= lastBytes)
            lastBytes = reader.bytesRead
            events.append(event)
        }
        #expect(try reader.next() == nil)
        return events
    }

    static let sample: [UInt8] = {
        var text = "\u{FEFF}id,name,note\r\n"
        for i in 1...200 {
            text += i % 17 == 0 ? "\(i),ragged\r\n" : "\(i),\"Name \(i), Jr.\",\"multi\r\nline \"\"\(i)\"\"\"\r\n"
        }
        return Array(text.utf8)
    }()

    @Test(arguments: [1, 7, 64, 4096, 256 * 1024])
    func readsLikeTheInMemoryTable(bufferSize: Int) throws {
        let url = try Self.write(Self.sample)
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let reader = try CSVFileReader(path: url.path, bufferSize: bufferSize)
        #expect(reader.fileSize == Self.sample.count)
        let events = try Self.readAll(reader)
        #expect(reader.bytesRead == Self.sample.count)

        // Same as the table fed from memory, except that errors carry the file name.
        let expected = TableTranscript.events(Self.sample).map { event -> CSVTable.Event in
            guard case .rowError(var e) = event else { return event }
            e.file = url.path
            return .rowError(e)
        }
        #expect(events == expected)
        let rows = events.filter { if case .row = $0 { true } else { false } }
        #expect(rows.count == 200 - 200 / 17)
        guard case .row(let last) = events.last else {
            Issue.record("last event is not a row")
            return
        }
        // Line 2 + two lines per earlier row, one per ragged (one-line) row.
        let ragged = 199 / 17
        #expect(last.row == 200 && last.line == 2 + (199 - ragged) * 2 + ragged)
        #expect(last.values == ["200", "Name 200, Jr.", "multi\r\nline \"200\""])
    }

    @Test func errorsNameTheFile() throws {
        let url = try Self.write(Array("a,b\n1\n".utf8))
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let events = try Self.readAll(try CSVFileReader(path: url.path))
        guard case .rowError(let error) = events.last else {
            Issue.record("no row error")
            return
        }
        #expect(error.description == "\(url.path):2: error: row 1: row has 1 fields, header has 2")
    }

    @Test func emptyFileFails() throws {
        let url = try Self.write([])
        defer { try? FileManager.default.removeItem(at: url.deletingLastPathComponent()) }
        let reader = try CSVFileReader(path: url.path)
        #expect(reader.fileSize == 0)
        let events = try Self.readAll(reader)
        #expect(events.count == 1)
        guard case .failed(let error) = events.first else {
            Issue.record("not failed")
            return
        }
        #expect(error.code == .emptyFile && error.file == url.path)
    }

    @Test func missingFileThrows() {
        let path = "/nonexistent-\(UUID().uuidString)/leads.csv"
        #expect {
            _ = try CSVFileReader(path: path)
        } throws: { error in
            guard let e = error as? CSVError else { return false }
            return e.code == .io && e.file == path && e.description.hasPrefix("\(path): error: cannot open the file")
        }
    }
}

import Core
import Foundation

/// The `--errors FILE` of an import: every rejected row with its row, line and reason,
/// then the row's own values when it could be read. Cells that a spreadsheet would run
/// as a formula (`=`, `+`, `-`, `@`) are prefixed with `'`.
final class RejectedRowsFile {
    private let handle: FileHandle
    private let path: String
    private var wroteHeader = false
    private var buffer = ""

    init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw CommandFailure("cannot create the errors file \(path)")
        }
        guard let h = FileHandle(forWritingAtPath: path) else {
            throw CommandFailure("cannot open the errors file \(path)")
        }
        self.handle = h
        self.path = path
    }

    func write(_ error: ImportReply.RowError, names: FieldNames?, values: [String]?) {
        if !wroteHeader {
            wroteHeader = true
            buffer += (["row", "line", "reason"] + (names?.names ?? [])).map(Self.cell).joined(separator: ",") + "\r\n"
        }
        let cells = [String(error.row), String(error.line), error.message] + (values ?? [])
        buffer += cells.map(Self.cell).joined(separator: ",") + "\r\n"
        if buffer.utf8.count > 64 * 1024 { flush() }
    }

    func close() throws {
        if !wroteHeader { buffer += "row,line,reason\r\n" }
        flush()
        try handle.close()
    }

    private func flush() {
        handle.write(Data(buffer.utf8))
        buffer = ""
    }

    /// One CSV cell: neutralised against formula injection, quoted when needed.
    static func cell(_ raw: String) -> String {
        var v = raw
        if let first = v.first, "=+-@".contains(first) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return v
    }
}

// Fuzz target for the CSV reader: any bytes must parse without crashing, give the same
// events whether fed whole or in pieces, and keep the row/line bookkeeping consistent.
//
// libFuzzer:  swift build --product fuzz-csv -c release \
//                 -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
//             .build/release/fuzz-csv -max_total_time=60 CORPUS_COPY_DIR
// Replay:     swift run fuzz-csv Tests/Fuzz/corpus/csv   (files or directories)

import Core
import Foundation

@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: d, count: n))
    FuzzCSV.check(input)
    return 0
}

enum FuzzCSV {
    static func check(_ input: [UInt8]) {
        // A split point and a small record limit derived from the data, so the fuzzer
        // steers both.
        let seed = input.prefix(4).reduce(0) { $0 &* 31 &+ Int($1) }
        let cut = input.isEmpty ? 0 : seed % (input.count + 1)
        let step = seed % 13 + 1
        for limit in [CSVParser.defaultMaxRecordBytes, seed % 64 + 1] {
            let whole = table(input, chunks: [input.count], limit: limit)
            verify(whole)
            let halves = table(input, chunks: [cut, input.count], limit: limit)
            guard halves == whole else { fatalError("split at \(cut) differs (limit \(limit))") }
            let pieces = table(
                input, chunks: Array(stride(from: step, to: input.count, by: step)) + [input.count], limit: limit)
            guard pieces == whole else { fatalError("chunks of \(step) differ (limit \(limit))") }
        }
    }

    static func table(_ input: [UInt8], chunks: [Int], limit: Int) -> [CSVTable.Event] {
        var table = CSVTable(maxRecordBytes: limit)
        var events: [CSVTable.Event] = []
        var start = 0
        input.withUnsafeBytes { bytes in
            for end in chunks {
                table.feed(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) { events.append($0) }
                start = end
            }
        }
        table.finish { events.append($0) }
        return events
    }

    /// Header first and once; rows numbered 1, 2, 3… with strictly increasing lines;
    /// one value per column; nothing after a failure; always some event.
    static func verify(_ events: [CSVTable.Event]) {
        precondition(!events.isEmpty, "no event at all (expected a header or a failure)")
        var columns: Int?
        var lastRow = 0
        var lastLine = 0
        for (i, event) in events.enumerated() {
            switch event {
            case .header(let h):
                precondition(i == 0 && columns == nil, "header not first")
                columns = h.names.count
                lastLine = h.line
            case .row(let r):
                precondition(r.values.count == columns, "row width differs from header")
                step(r.row, r.line)
            case .rowError(let e):
                precondition(columns != nil, "row error before the header")
                step(e.row, e.line)
            case .failed:
                precondition(i == events.count - 1, "events after a failure")
                precondition(columns == nil, "failure after the header")
            }
        }
        func step(_ row: Int, _ line: Int) {
            precondition(row == lastRow + 1, "row numbers not consecutive")
            precondition(line > lastLine, "lines not increasing")
            lastRow = row
            lastLine = line
        }
    }
}

#if FUZZING
// SwiftPM links executables with `--defsym main=FuzzCSV_main`, which hides libFuzzer's
// own `main`; this one hands control to the libFuzzer driver instead.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

@main struct FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzz))
    }
}
#else

/// Replays every file named on the command line (directories: every file inside)
/// through the fuzz check, so the corpus is a regression test in normal builds.
@main struct Replay {
    static func main() throws {
        let fm = FileManager.default
        var count = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                print("fuzz-csv: no such file: \(argument)")
                exit(2)
            }
            let paths =
                isDirectory.boolValue
                ? try fm.contentsOfDirectory(atPath: argument).sorted().map { "\(argument)/\($0)" }
                : [argument]
            for path in paths {
                var isSubdirectory: ObjCBool = false
                guard fm.fileExists(atPath: path, isDirectory: &isSubdirectory), !isSubdirectory.boolValue
                else { continue }
                FuzzCSV.check(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
                count += 1
            }
        }
        print("fuzz-csv: replayed \(count) inputs, all consistent")
    }
}
#endif

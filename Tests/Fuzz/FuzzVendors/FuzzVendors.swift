// Fuzz target for the vendors-file loader: bytes → YAMLParser → VendorCatalog.
//
// Build and run (libFuzzer + AddressSanitizer):
//   swift build --product fuzz-vendors -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
//   cp -r Tests/Fuzz/corpus/vendors /tmp/vendors-corpus
//   .build/release/fuzz-vendors -max_total_time=60 /tmp/vendors-corpus
// Without -DFUZZING the product replays files or directories given as arguments.

import Core

#if !FUZZING
import Foundation
#endif

/// A real, trivial adapter: the vendor lead id from a configurable field. Its factory
/// reads `options` like real adapters do, so option errors are exercised too.
struct FuzzAdapter: VendorAdapter {
    var idField: String

    func minimal(_ record: VendorRecord) throws(AdapterError) -> LeadDraft {
        LeadDraft(vendorLeadId: record.string(idField))
    }

    func enrich(_ record: VendorRecord) throws(AdapterError) -> LeadDraft { try minimal(record) }
}

let fuzzRegistry: AdapterRegistry = {
    var registry = AdapterRegistry()
    let factory: AdapterFactory = { config throws(ConfigError) in
        let options = try config.optionsMap()
        try options.rejectUnknown(allowed: ["id-field"])
        return FuzzAdapter(idField: try options.optionalString("id-field") ?? "id")
    }
    registry.register("csv-mapping", factory)
    registry.register("nextgen", factory)
    return registry
}()

/// Runs one input; thrown configuration errors are expected results, only crashes count.
func runOne(_ bytes: [UInt8]) {
    _ = try? YAMLParser.parse(bytes, file: "fuzz.yaml")
    if let catalog = try? VendorCatalog.parse(bytes: bytes, file: "fuzz.yaml", registry: fuzzRegistry) {
        for vendor in catalog.vendors {
            _ = catalog[key: vendor.key]
            _ = try? vendor.adapter.minimal(VendorRecord(object: ["id": .string("1")]))
        }
        _ = catalog.unknownVendorMessage("nextgn")
    }
    // The text path (lossy UTF-8) must not crash either.
    _ = try? VendorCatalog.parse(
        text: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml", registry: fuzzRegistry)
}

@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    runOne(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if FUZZING
// SwiftPM links every executable with `--defsym main=FuzzVendors_main`, so libFuzzer's
// own `main` is never used; this entry point hands control to libFuzzer's documented
// C driver instead. `@_silgen_name` is how Swift names a C symbol without a C module;
// the arguments (pointers, an int result) pass the same way under both conventions.
@_silgen_name("LLVMFuzzerRunDriver")
func llvmFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@_cdecl("FuzzVendors_main")
func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var argc = argc
    var argv = argv
    return llvmFuzzerRunDriver(&argc, &argv) { data, size in
        runOne(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
        return 0
    }
}
#else
/// Replays corpus files (or every file in corpus directories) given as arguments.
@main struct Replay {
    static func main() {
        let fm = FileManager.default
        var count = 0
        for argument in CommandLine.arguments.dropFirst() {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: argument, isDirectory: &isDirectory) else {
                print("no such file: \(argument)")
                continue
            }
            let paths =
                isDirectory.boolValue
                ? ((try? fm.contentsOfDirectory(atPath: argument)) ?? []).sorted().map { argument + "/" + $0 }
                : [argument]
            for path in paths {
                guard let data = fm.contents(atPath: path) else { continue }
                runOne([UInt8](data))
                count += 1
            }
        }
        print("replayed \(count) inputs")
    }
}
#endif

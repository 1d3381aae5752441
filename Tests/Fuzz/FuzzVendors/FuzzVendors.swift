// Placeholder: replaced by the real fuzz target.
@_cdecl("LLVMFuzzerTestOneInput") public func fuzz(_ d: UnsafePointer<UInt8>, _ n: Int) -> CInt { 0 }

#if !FUZZING
@main struct Replay { static func main() {} }
#endif

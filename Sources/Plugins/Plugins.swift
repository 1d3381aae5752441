public import Core

/// Registers every adapter this module provides (`nextgen`) into `registry`.
///
/// Call once at start-up, after the core's built-in adapters:
///
/// ```swift
/// var registry = AdapterRegistry()
/// CSVMappingAdapter.register(into: &registry)
/// registerPlugins(into: &registry)
/// ```
public func registerPlugins(into registry: inout AdapterRegistry) {
    NextGenAdapter.register(into: &registry)
}

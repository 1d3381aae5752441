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

/// Every adapter this build knows: the core's configuration-only adapters
/// (`csv-mapping`, `json-mapping`) and the Swift plugins. What `sluice` uses.
public func standardAdapters() -> AdapterRegistry {
    var registry = AdapterRegistry()
    CSVMappingAdapter.register(into: &registry)
    JSONMappingAdapter.register(into: &registry)
    registerPlugins(into: &registry)
    return registry
}

/// Builds an adapter from its `vendors.yaml` entry. Throws a ``ConfigError`` that points
/// at the offending line when the entry's `options` are wrong.
public typealias AdapterFactory = @Sendable (VendorConfig) throws(ConfigError) -> any VendorAdapter

/// Maps the adapter names that `vendors.yaml` uses (`adapter: csv-mapping`) to factories.
///
/// Built once at start-up and then read-only, so it is `Sendable` as a value.
///
/// ```swift
/// var registry = AdapterRegistry()
/// CSVMappingAdapter.register(into: &registry)   // or Plugins' standardAdapters()
/// registry.register("nextgen") { config throws(ConfigError) in try NextGenAdapter(config: config) }
/// ```
public struct AdapterRegistry: Sendable {
    private var factories: [String: AdapterFactory] = [:]

    public init() {}

    public mutating func register(_ name: String, _ factory: @escaping AdapterFactory) {
        factories[name] = factory
    }

    public func factory(named name: String) -> AdapterFactory? { factories[name] }

    /// Registered adapter names, sorted (for "did you mean" and error messages).
    public var names: [String] { factories.keys.sorted() }
}

/// One vendor entry of `vendors.yaml`, validated (stage two: the typed model).
///
/// ```yaml
/// vendors:
///   marketplace:
///     name: Marketplace
///     adapter: csv-mapping
///     channels: [csv]
///     timezone: America/Chicago
///     csv:
///       detect: [leadID, primaryPhone]
///     options: { … }          # read by the adapter's factory
/// ```
public struct VendorConfig: Sendable {
    /// The key under `vendors:`; lead `source`, URL segment and CLI `--vendor` value.
    public var key: String
    /// Display name.
    public var name: String
    /// Registered adapter name (`nextgen`, `csv-mapping`, `json-mapping`).
    public var adapter: String
    /// How this vendor's purchases arrive.
    public var channels: Set<VendorChannel>
    /// Headers that identify this vendor's CSV files: a file carrying all of them is
    /// this vendor's (extra columns are fine). Empty when the vendor has no CSV channel.
    public var detectHeaders: [String]
    /// IANA time zone for vendor times without an offset (`America/Chicago`).
    public var timeZone: String?
    /// How webhook deliveries are authenticated; nil when the vendor has no webhook.
    public var webhookAuth: WebhookAuth?
    /// Adapter-specific settings, read by the adapter's factory.
    public var options: YAMLNode?
    /// The file this entry came from and where, for error messages.
    public var file: String
    public var mark: SourceMark

    public init(
        key: String, name: String, adapter: String, channels: Set<VendorChannel>,
        detectHeaders: [String] = [], timeZone: String? = nil, webhookAuth: WebhookAuth? = nil,
        options: YAMLNode? = nil, file: String = "vendors.yaml", mark: SourceMark = SourceMark(line: 1, column: 1)
    ) {
        self.key = key
        self.name = name
        self.adapter = adapter
        self.channels = channels
        self.detectHeaders = detectHeaders
        self.timeZone = timeZone
        self.webhookAuth = webhookAuth
        self.options = options
        self.file = file
        self.mark = mark
    }

    /// A map over `options` for factories (an empty mapping when there are none).
    public func optionsMap() throws(ConfigError) -> ConfigMap {
        try ConfigMap(options ?? .mapping([], mark: mark), file: file, context: "options of vendor '\(key)'")
    }
}

public enum VendorChannel: String, Sendable, Hashable, CaseIterable, Comparable {
    case webhook
    case csv
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}

/// How a vendor's webhook deliveries prove who sent them.
public enum WebhookAuth: String, Sendable, Hashable, CaseIterable {
    /// NextGen's `sid` + `apikey` headers, one pair per tenant credential.
    case apiKey = "api-key"
    /// Standard Webhooks HMAC signatures on a per-tenant endpoint URL.
    case standardWebhooks = "standard-webhooks"
}

/// A configured vendor ready to use: its entry and the adapter built from it.
public struct Vendor: Sendable {
    public var config: VendorConfig
    public var adapter: any VendorAdapter
    public var key: String { config.key }

    public init(config: VendorConfig, adapter: any VendorAdapter) {
        self.config = config
        self.adapter = adapter
    }
}

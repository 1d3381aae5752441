public import Foundation

/// A delivery as received, before any transform: a webhook body with its headers
/// (secrets removed) or an uploaded file (on disk, `path`), with what became of it.
public struct InboxEntry: Sendable, Hashable {
    public enum Channel: String, Sendable, Hashable { case webhook, upload }

    public var id: Int64
    public var tenantId: String
    public var vendor: String?
    public var channel: Channel
    public var receivedAt: Date
    /// Request headers without credentials (`authorization`, `apikey`, signatures).
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var path: String?
    /// `created`, `updated`, `unchanged`, `rejected`, `imported`, `failed`.
    public var outcome: String
    public var detail: String?

    public init(
        id: Int64 = 0, tenantId: String, vendor: String?, channel: Channel, receivedAt: Date,
        headers: [(String, String)], body: [UInt8]? = nil, path: String? = nil, outcome: String, detail: String? = nil
    ) {
        self.id = id
        self.tenantId = tenantId
        self.vendor = vendor
        self.channel = channel
        self.receivedAt = receivedAt
        self.headers = headers
        self.body = body
        self.path = path
        self.outcome = outcome
        self.detail = detail
    }

    public static func == (a: InboxEntry, b: InboxEntry) -> Bool { a.id == b.id }
    public func hash(into h: inout Hasher) { h.combine(id) }

    /// The headers as stored: a JSON array of `[name, value]`, credentials left out.
    package var storedHeaders: String {
        var w = JSONWriter()
        w.beginArray()
        for (k, v) in headers where !InboxEntry.secretHeaders.contains(k.lowercased()) {
            w.beginArray()
            w.value(k)
            w.value(v)
            w.endArray()
        }
        w.endArray()
        return w.string
    }

    /// Header names never kept.
    public static let secretHeaders: Set<String> = [
        "authorization", "apikey", "sid", "cookie", "webhook-signature", "x-api-key",
    ]
}

/// The raw inbox and webhook bookkeeping of the store.
public protocol InboxStore: Sendable {
    @discardableResult
    func addToInbox(_ entry: InboxEntry) async throws -> Int64
    /// Entries of `vendor` (and `tenantId` when given) received at or after `since`, oldest first.
    func inboxEntries(vendor: String, tenantId: String?, since: Date) async throws -> [InboxEntry]
    /// Deletes entries received before `cutoff`; returns the files they referenced.
    func purgeInbox(before cutoff: Date) async throws -> [String]
    /// The lead an accepted Standard Webhooks `webhook-id` made, if any.
    func webhookDelivery(credentialId: String, webhookId: String) async throws -> String?
    func recordWebhookDelivery(credentialId: String, webhookId: String, leadId: String) async throws
    /// Stores an HMAC vendor endpoint credential with its secret sealed by the server key.
    func createEndpointCredential(
        tenantId: String, vendor: String, endpointId: String, sealedSecret: [UInt8]
    )
        async throws -> Credential
    /// The active endpoint credential of `vendor` with this id, and its sealed secret.
    func endpointCredential(
        vendor: String, endpointId: String
    ) async throws -> (
        credential: Credential, sealedSecret: [UInt8]
    )?
}

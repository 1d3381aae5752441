public import Foundation

/// Standard Webhooks signatures (https://www.standardwebhooks.com): how a vendor proves
/// a delivery to `POST /api/webhooks/{vendor}/{endpointId}` came from them.
///
/// The signed content is `"<webhook-id>.<webhook-timestamp>.<raw body>"`, MACed with
/// HMAC-SHA-256 under the endpoint secret's key bytes (a secret is `whsec_` + base64
/// of them). `webhook-signature` holds space-separated `v1,<base64 MAC>` entries; any
/// one matching an active secret passes, so a secret can be rotated with both valid
/// for a while. Timestamps more than `tolerance` seconds from now are refused, which
/// bounds replays.
///
/// Stateless and thread-safe.
///
/// ```swift
/// let secret = StandardWebhooks.generateSecret()          // "whsec_…", shown once
/// let header = try StandardWebhooks.sign(id: "msg_1", timestamp: 1_700_000_000, body: body, secret: secret)
/// try StandardWebhooks.verify(
///     id: "msg_1", timestamp: "1700000000", signatureHeader: header, body: body,
///     secrets: [secret], now: Date(timeIntervalSince1970: 1_700_000_010))
/// ```
public enum StandardWebhooks {
    /// The prefix of a secret's text form.
    public static let secretPrefix = "whsec_"

    /// Checks one delivery's headers against the endpoint's `secrets` (text form; the
    /// `whsec_` prefix is optional; malformed secrets never match). Returns the index in
    /// `secrets` of the one that signed it. Headers are passed as received (nil when
    /// absent).
    ///
    /// Throws ``StandardWebhooksError`` with ``StandardWebhooksError/Code/missingHeaders``,
    /// ``StandardWebhooksError/Code/invalidTimestamp``, ``StandardWebhooksError/Code/timestampTooOld``,
    /// ``StandardWebhooksError/Code/timestampTooNew`` or ``StandardWebhooksError/Code/noMatchingSignature``.
    @discardableResult
    public static func verify(
        id: String?, timestamp: String?, signatureHeader: String?, body: [UInt8], secrets: [String],
        now: Date = Date(), tolerance: TimeInterval = 300
    ) throws(StandardWebhooksError) -> Int {
        guard let id, !id.isEmpty, let timestamp, !timestamp.isEmpty, let signatureHeader, !signatureHeader.isEmpty
        else {
            throw StandardWebhooksError(
                .missingHeaders, "The webhook-id, webhook-timestamp and webhook-signature headers are required.")
        }
        guard let seconds = parseTimestamp(timestamp) else {
            throw StandardWebhooksError(
                .invalidTimestamp, "The webhook-timestamp header is not a Unix time in seconds.")
        }
        let skew = Double(seconds) - now.timeIntervalSince1970
        if skew < -tolerance {
            throw StandardWebhooksError(.timestampTooOld, "The webhook-timestamp is too old.")
        }
        if skew > tolerance {
            throw StandardWebhooksError(.timestampTooNew, "The webhook-timestamp is in the future.")
        }
        let offered = signatures(in: signatureHeader)
        if !offered.isEmpty {
            let content = signedContent(id: id, timestamp: timestamp, body: body)
            for (index, secret) in secrets.enumerated() {
                guard let key = keyBytes(secret) else { continue }
                let expected = Crypto.hmacSHA256(key: key, message: content)
                // Every offered entry is compared, so timing says nothing about which matched.
                var matched = false
                for signature in offered where Crypto.constantTimeEquals(signature, expected) { matched = true }
                if matched { return index }
            }
        }
        throw StandardWebhooksError(.noMatchingSignature, "No webhook-signature matches the endpoint's secret.")
    }

    /// The `webhook-signature` value for one delivery: `v1,<base64 MAC>`. Throws
    /// ``StandardWebhooksError/Code/invalidSecret`` when `secret` is not base64.
    public static func sign(
        id: String, timestamp: Int64, body: [UInt8], secret: String
    ) throws(StandardWebhooksError)
        -> String
    {
        guard let key = keyBytes(secret) else {
            throw StandardWebhooksError(.invalidSecret, "The secret is not 'whsec_' followed by base64.")
        }
        let mac = Crypto.hmacSHA256(key: key, message: signedContent(id: id, timestamp: String(timestamp), body: body))
        return "v1," + Data(mac).base64EncodedString()
    }

    /// A new secret: `whsec_` + base64 of 32 random bytes.
    public static func generateSecret() -> String {
        secretPrefix + Data(Crypto.randomBytes(count: 32)).base64EncodedString()
    }

    /// The key bytes of a secret's text form (`whsec_` optional); nil when not base64
    /// or empty.
    public static func keyBytes(_ secret: String) -> [UInt8]? {
        let encoded = secret.hasPrefix(secretPrefix) ? String(secret.dropFirst(secretPrefix.count)) : secret
        guard let data = Data(base64Encoded: encoded), !data.isEmpty else { return nil }
        return [UInt8](data)
    }

    private static func signedContent(id: String, timestamp: String, body: [UInt8]) -> [UInt8] {
        var content: [UInt8] = []
        content.reserveCapacity(id.utf8.count + timestamp.utf8.count + body.count + 2)
        content += id.utf8
        content.append(UInt8(ascii: "."))
        content += timestamp.utf8
        content.append(UInt8(ascii: "."))
        content += body
        return content
    }

    /// The MACs of the `v1,` entries; other versions and undecodable entries are skipped.
    private static func signatures(in header: String) -> [[UInt8]] {
        header.split(separator: " ").compactMap { entry in
            guard entry.hasPrefix("v1,") else { return nil }
            return Data(base64Encoded: String(entry.dropFirst(3))).map { [UInt8]($0) }
        }
    }

    /// Seconds since 1970: ASCII digits only, at most 12 of them.
    private static func parseTimestamp(_ text: String) -> Int64? {
        guard text.utf8.count <= 12, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(text)
    }
}

/// Why a webhook delivery's Standard Webhooks signature was refused (or a secret is unusable).
///
/// `description` is safe to log and to send back: it never contains secrets or MACs.
public struct StandardWebhooksError: Error, Sendable, Hashable, CustomStringConvertible {
    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// What went wrong; new codes may be added without breaking callers.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty.
        public static let missingHeaders = Code(rawValue: "missing_headers")
        /// `webhook-timestamp` is not a whole number of seconds.
        public static let invalidTimestamp = Code(rawValue: "invalid_timestamp")
        /// The timestamp is further in the past than the tolerance.
        public static let timestampTooOld = Code(rawValue: "timestamp_too_old")
        /// The timestamp is further in the future than the tolerance.
        public static let timestampTooNew = Code(rawValue: "timestamp_too_new")
        /// No `v1` entry matches any of the endpoint's secrets.
        public static let noMatchingSignature = Code(rawValue: "no_matching_signature")
        /// A secret given to ``StandardWebhooks/sign(id:timestamp:body:secret:)`` is not base64.
        public static let invalidSecret = Code(rawValue: "invalid_secret")
    }
}

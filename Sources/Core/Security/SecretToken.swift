import Foundation

/// Bearer tokens, API keys and webhook secrets: generated random, shown once, stored
/// only as a hash.
///
/// A token is a prefix naming its kind followed by 32 random bytes in unpadded URL-safe
/// base64 (43 characters), e.g. `slu_Xy3…`. Storage keeps ``hash(_:)`` (hex SHA-256);
/// a presented token is checked with ``matches(_:hash:)``. 256 random bits need no
/// salt or slow hash: nothing about them can be guessed.
///
/// ```swift
/// let token = SecretToken.generate(prefix: "slu_")   // give to the user once
/// let stored = SecretToken.hash(token)               // keep this
/// SecretToken.matches(presented, hash: stored)       // on each request
/// ```
public enum SecretToken {
    /// Random bytes in a token.
    public static let byteCount = 32

    /// A new token: `prefix` + 32 random bytes in unpadded URL-safe base64.
    public static func generate(prefix: String = "slu_") -> String {
        prefix + base64URL(Crypto.randomBytes(count: byteCount))
    }

    /// Hex SHA-256 of the token's UTF-8 (64 lowercase hex digits), the form stored.
    public static func hash(_ token: String) -> String {
        Crypto.hex(Crypto.sha256(token))
    }

    /// Whether `token` hashes to `hash` (compared in constant time).
    public static func matches(_ token: String, hash: String) -> Bool {
        Crypto.constantTimeEquals(Array(Self.hash(token).utf8), Array(hash.lowercased().utf8))
    }

    /// Unpadded URL-safe base64 (RFC 4648 §5) of `bytes`.
    public static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    /// The bytes of unpadded (or padded) URL-safe base64 `text`; nil when malformed.
    public static func bytes(base64URL text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        if standard.count % 4 != 0 { standard += String(repeating: "=", count: 4 - standard.count % 4) }
        return Data(base64Encoded: standard).map { [UInt8]($0) }
    }
}

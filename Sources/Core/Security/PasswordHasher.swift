/// Password storage with PBKDF2-HMAC-SHA256 (OpenSSL), 210,000 iterations by default
/// (OWASP's 2023 figure), a 16-byte random salt per password.
///
/// Stored form: `pbkdf2-sha256$ITERATIONS$SALT$HASH` (salt and hash in unpadded URL-safe
/// base64), so the iteration count can rise later without breaking old hashes.
///
/// ```swift
/// let stored = PasswordHasher.hash("correct horse")
/// PasswordHasher.verify("correct horse", stored)   // true
/// ```
public enum PasswordHasher {
    public static let defaultIterations = 210_000
    static let scheme = "pbkdf2-sha256"

    public static func hash(_ password: String, iterations: Int = defaultIterations) -> String {
        let salt = Crypto.randomBytes(count: 16)
        let key = Crypto.pbkdf2SHA256(password: password, salt: salt, iterations: iterations, keyLength: 32)
        return [scheme, String(iterations), SecretToken.base64URL(salt), SecretToken.base64URL(key)]
            .joined(separator: "$")
    }

    /// Whether `password` matches `stored`, compared in constant time. A malformed
    /// stored value never matches.
    public static func verify(_ password: String, _ stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == scheme, let iterations = Int(parts[1]), iterations > 0,
            iterations <= 10_000_000, let salt = SecretToken.bytes(base64URL: parts[2]),
            let expected = SecretToken.bytes(base64URL: parts[3]), !expected.isEmpty
        else { return false }
        let key = Crypto.pbkdf2SHA256(password: password, salt: salt, iterations: iterations, keyLength: expected.count)
        return Crypto.constantTimeEquals(key, expected)
    }
}

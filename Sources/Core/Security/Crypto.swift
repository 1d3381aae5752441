internal import CCrypto

/// Hashes, MACs, key derivation and random bytes from OpenSSL's libcrypto.
///
/// Stateless functions over byte arrays; thread-safe (libcrypto 3 is thread-safe and
/// each call uses only its own buffers). Failures of the C calls that cannot happen
/// with valid arguments (out of memory, a broken random source) trap: continuing
/// without a hash or without randomness would be worse than stopping.
///
/// ```swift
/// let digest = Crypto.hex(Crypto.sha256(Array("abc".utf8)))
/// let mac = Crypto.hmacSHA256(key: secret, message: Array(body.utf8))
/// let ok = Crypto.constantTimeEquals(mac, expected)
/// ```
public enum Crypto {
    /// SHA-256, fetched from libcrypto's provider once. With `EVP_sha256()` every call
    /// looks the implementation up again (OpenSSL 3's implicit fetch): in a warm loop
    /// 0.29 µs against 0.12 µs, and in a webhook, where that code is cold, the apikey
    /// check took 37 µs against 18–21 µs. Immutable once fetched, so shared by every thread.
    nonisolated(unsafe) private static let sha256Method: OpaquePointer = {
        guard let md = EVP_MD_fetch(nil, "SHA2-256", nil) else { fatalError("libcrypto has no SHA-256") }
        return md
    }()

    /// SHA-256 of `bytes` (32 bytes).
    public static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = bytes.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { md in
                EVP_Digest(input.baseAddress, input.count, md.baseAddress, &length, sha256Method, nil)
            }
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return out
    }

    /// SHA-256 of the UTF-8 of `text`.
    public static func sha256(_ text: String) -> [UInt8] { sha256(Array(text.utf8)) }

    /// HMAC-SHA-256 of `message` under `key` (32 bytes).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        // OpenSSL 3 rejects a NULL key pointer even with length 0, and an empty array's
        // buffer has no base address: give it one byte to point at.
        let keyBytes = key.isEmpty ? [0] : key
        let result = keyBytes.withUnsafeBufferPointer { k in
            message.withUnsafeBufferPointer { m in
                out.withUnsafeMutableBufferPointer { md in
                    HMAC(EVP_sha256(), k.baseAddress, Int32(key.count), m.baseAddress, m.count, md.baseAddress, &length)
                }
            }
        }
        precondition(result != nil && length == 32, "HMAC(SHA-256) failed")
        return out
    }

    /// PBKDF2 with HMAC-SHA-256 (RFC 8018): `keyLength` bytes derived from `password`
    /// and `salt` in `iterations` rounds (at least 1).
    public static func pbkdf2SHA256(password: [UInt8], salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        precondition(iterations >= 1 && iterations <= Int(Int32.max), "PBKDF2 iterations out of range")
        precondition(keyLength >= 1 && keyLength <= Int(Int32.max), "PBKDF2 key length out of range")
        var out = [UInt8](repeating: 0, count: keyLength)
        let passwordBytes = password.isEmpty ? [0] : password
        let saltBytes = salt.isEmpty ? [0] : salt
        let ok = passwordBytes.withUnsafeBufferPointer { p in
            saltBytes.withUnsafeBufferPointer { s in
                out.withUnsafeMutableBufferPointer { key in
                    p.withMemoryRebound(to: CChar.self) { pc in
                        PKCS5_PBKDF2_HMAC(
                            pc.baseAddress, Int32(password.count), s.baseAddress, Int32(salt.count),
                            Int32(iterations), EVP_sha256(), Int32(keyLength), key.baseAddress)
                    }
                }
            }
        }
        precondition(ok == 1, "PKCS5_PBKDF2_HMAC failed")
        return out
    }

    /// PBKDF2-HMAC-SHA-256 of the UTF-8 of `password`.
    public static func pbkdf2SHA256(password: String, salt: [UInt8], iterations: Int, keyLength: Int) -> [UInt8] {
        pbkdf2SHA256(password: Array(password.utf8), salt: salt, iterations: iterations, keyLength: keyLength)
    }

    /// 128 bits from libcrypto's cryptographically secure generator (seeded by the
    /// operating system; no system call, no allocation). Traps when it fails.
    public static func random128() -> (UInt64, UInt64) {
        var r: (UInt64, UInt64) = (0, 0)
        let ok = withUnsafeMutableBytes(of: &r) { RAND_bytes($0.baseAddress, Int32($0.count)) }
        precondition(ok == 1, "RAND_bytes failed")
        return r
    }

    /// `count` bytes from the operating system's cryptographically secure generator.
    /// Traps when the generator fails (nothing random can be made safely then).
    public static func randomBytes(count: Int) -> [UInt8] {
        precondition(count >= 0 && count <= Int(Int32.max), "randomBytes count out of range")
        var out = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return out }
        let ok = out.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32(count)) }
        precondition(ok == 1, "RAND_bytes failed")
        return out
    }

    /// Whether `a` and `b` are equal, in time that depends only on their length (for
    /// comparing MACs and token hashes). Different lengths are unequal.
    public static func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in CRYPTO_memcmp(pa.baseAddress, pb.baseAddress, a.count) == 0 }
        }
    }

    /// Lowercase hexadecimal of `bytes` (`[0xBA, 0x78]` → `"ba78"`).
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = digits[Int(b >> 4)]
                out[2 * i + 1] = digits[Int(b & 0x0F)]
            }
            return bytes.count * 2
        }
    }

    /// The bytes of hexadecimal `text` (either case); nil when it is not an even number
    /// of hex digits.
    public static func bytes(hex text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = hexValue(utf8[i]), let lo = hexValue(utf8[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

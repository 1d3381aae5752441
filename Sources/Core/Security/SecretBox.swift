internal import CCrypto

/// Authenticated encryption of small secrets at rest (webhook endpoint secrets) under
/// the server key: AES-256-GCM from libcrypto.
///
/// A sealed value is `nonce (12 bytes) || ciphertext || tag (16 bytes)`; each seal uses
/// a fresh random nonce, so sealing the same plaintext twice gives different bytes.
/// Opening checks the tag first: a changed byte, a wrong key or different associated
/// data is an error, never garbage plaintext. Random nonces are safe for far more
/// seals than a server makes (2³² under one key).
///
/// An immutable value holding the key; `Sendable`, thread-safe (each call has its own
/// cipher context).
///
/// ```swift
/// let box = try SecretBox(key: ServerKey.loadOrCreate(path: "data/server.key"))
/// let stored = box.seal(Array(secret.utf8))
/// let secret = try box.open(stored)
/// ```
public struct SecretBox: Sendable {
    /// Key length in bytes.
    public static let keyLength = 32
    static let nonceLength = 12
    static let tagLength = 16
    /// Bytes a sealed value has beyond its plaintext.
    public static let overhead = nonceLength + tagLength

    private let key: [UInt8]

    /// A box using `key`; throws ``SecretBoxError/Code/invalidKey`` unless it is 32 bytes.
    public init(key: [UInt8]) throws(SecretBoxError) {
        guard key.count == Self.keyLength else {
            throw SecretBoxError(.invalidKey, "The server key must be \(Self.keyLength) bytes.")
        }
        self.key = key
    }

    /// Encrypts `plaintext`; `associatedData` is authenticated but not stored (the same
    /// bytes must be given to ``open(_:associatedData:)``).
    public func seal(_ plaintext: [UInt8], associatedData: [UInt8] = []) -> [UInt8] {
        let nonce = Crypto.randomBytes(count: Self.nonceLength)
        let context = CipherContext()
        var out = nonce
        out.reserveCapacity(Self.overhead + plaintext.count)
        let cipher = context.run(encrypt: true, key: key, nonce: nonce, aad: associatedData, input: plaintext)
        precondition(cipher != nil, "AES-256-GCM encryption failed")
        out += cipher!
        var tag = [UInt8](repeating: 0, count: Self.tagLength)
        let ok = tag.withUnsafeMutableBytes {
            EVP_CIPHER_CTX_ctrl(context.handle, EVP_CTRL_GCM_GET_TAG, Int32(Self.tagLength), $0.baseAddress)
        }
        precondition(ok == 1, "EVP_CTRL_GCM_GET_TAG failed")
        return out + tag
    }

    /// The plaintext of a value made by ``seal(_:associatedData:)``. Throws
    /// ``SecretBoxError/Code/tooShort`` or ``SecretBoxError/Code/authenticationFailed``
    /// (tampered, another key, other associated data).
    public func open(_ sealed: [UInt8], associatedData: [UInt8] = []) throws(SecretBoxError) -> [UInt8] {
        guard sealed.count >= Self.overhead else {
            throw SecretBoxError(.tooShort, "The sealed value is shorter than a nonce and a tag.")
        }
        let nonce = Array(sealed[..<Self.nonceLength])
        let cipher = Array(sealed[Self.nonceLength..<(sealed.count - Self.tagLength)])
        var tag = Array(sealed[(sealed.count - Self.tagLength)...])
        let context = CipherContext()
        // The tag must be set before the final step, which checks it.
        let plain = context.run(encrypt: false, key: key, nonce: nonce, aad: associatedData, input: cipher) {
            tag.withUnsafeMutableBytes {
                EVP_CIPHER_CTX_ctrl(context.handle, EVP_CTRL_GCM_SET_TAG, Int32(Self.tagLength), $0.baseAddress) == 1
            }
        }
        guard let plain else {
            throw SecretBoxError(.authenticationFailed, "The sealed value does not open with this key.")
        }
        return plain
    }
}

/// The one owner of an `EVP_CIPHER_CTX`, freed in `deinit`. Used by one call only.
private final class CipherContext {
    let handle: OpaquePointer

    init() {
        guard let handle = EVP_CIPHER_CTX_new() else { fatalError("EVP_CIPHER_CTX_new failed") }
        self.handle = handle
    }

    deinit { EVP_CIPHER_CTX_free(handle) }

    /// AES-256-GCM over `input`; nil when a step fails (for decryption: when the tag,
    /// set by `beforeFinal`, does not match).
    func run(
        encrypt: Bool, key: [UInt8], nonce: [UInt8], aad: [UInt8], input: [UInt8],
        beforeFinal: () -> Bool = { true }
    ) -> [UInt8]? {
        let initialize = encrypt ? EVP_EncryptInit_ex : EVP_DecryptInit_ex
        let update = encrypt ? EVP_EncryptUpdate : EVP_DecryptUpdate
        guard initialize(handle, EVP_aes_256_gcm(), nil, nil, nil) == 1,
            EVP_CIPHER_CTX_ctrl(handle, EVP_CTRL_GCM_SET_IVLEN, Int32(nonce.count), nil) == 1,
            key.withUnsafeBufferPointer({ k in
                nonce.withUnsafeBufferPointer { n in initialize(handle, nil, nil, k.baseAddress, n.baseAddress) }
            }) == 1
        else { return nil }
        var length: Int32 = 0
        if !aad.isEmpty {
            let ok = aad.withUnsafeBufferPointer { update(handle, nil, &length, $0.baseAddress, Int32($0.count)) }
            guard ok == 1 else { return nil }
        }
        // GCM is a stream mode: the output is as long as the input, and final adds nothing.
        var out = [UInt8](repeating: 0, count: input.count + 16)
        var written = 0
        if !input.isEmpty {
            let ok = input.withUnsafeBufferPointer { i in
                out.withUnsafeMutableBufferPointer { o in
                    update(handle, o.baseAddress, &length, i.baseAddress, Int32(i.count))
                }
            }
            guard ok == 1 else { return nil }
            written = Int(length)
        }
        guard beforeFinal() else { return nil }
        let final = out.withUnsafeMutableBufferPointer { o in
            (encrypt ? EVP_EncryptFinal_ex : EVP_DecryptFinal_ex)(handle, o.baseAddress! + written, &length)
        }
        guard final == 1 else { return nil }
        written += Int(length)
        return Array(out[..<written])
    }
}

/// Why a sealed secret could not be opened, or a key cannot be used.
public struct SecretBoxError: Error, Sendable, Hashable, CustomStringConvertible {
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
        /// The key is not 32 bytes.
        public static let invalidKey = Code(rawValue: "invalid_key")
        /// The value is too short to have been sealed.
        public static let tooShort = Code(rawValue: "too_short")
        /// The tag does not match: tampered, another key, or other associated data.
        public static let authenticationFailed = Code(rawValue: "authentication_failed")
    }
}

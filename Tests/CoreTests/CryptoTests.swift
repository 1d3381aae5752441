import Testing

@testable import Core

@Suite struct CryptoTests {
    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256KnownVectors(_ input: String, _ digest: String) {
        #expect(Crypto.hex(Crypto.sha256(bytes(input))) == digest)
        #expect(Crypto.hex(Crypto.sha256(input)) == digest)
    }

    /// RFC 4231 test cases 1, 2 and 6 (a key longer than the block size).
    @Test(arguments: [
        (
            [UInt8](repeating: 0x0b, count: 20), "Hi There",
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
        ),
        (
            Array("Jefe".utf8), "what do ya want for nothing?",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ),
        (
            [UInt8](repeating: 0xaa, count: 131), "Test Using Larger Than Block-Size Key - Hash Key First",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        ),
    ])
    func hmacSHA256RFC4231(_ key: [UInt8], _ message: String, _ mac: String) {
        #expect(Crypto.hex(Crypto.hmacSHA256(key: key, message: bytes(message))) == mac)
    }

    @Test func hmacWithEmptyKeyAndMessage() {
        // Known value: HMAC-SHA256("", "").
        #expect(
            Crypto.hex(Crypto.hmacSHA256(key: [], message: []))
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    /// PBKDF2-HMAC-SHA256 vectors in the style of RFC 6070 (and RFC 7914 §11).
    @Test(arguments: [
        ("password", "salt", 1, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b"),
        ("password", "salt", 2, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43"),
        ("password", "salt", 4096, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a"),
        (
            "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096, 40,
            "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9"
        ),
        (
            "passwd", "salt", 1, 64,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783"
        ),
    ])
    func pbkdf2SHA256Vectors(_ password: String, _ salt: String, _ iterations: Int, _ length: Int, _ key: String) {
        let derived = Crypto.pbkdf2SHA256(
            password: password, salt: bytes(salt), iterations: iterations, keyLength: length)
        #expect(Crypto.hex(derived) == key)
    }

    @Test func randomBytesHaveTheLengthAndDiffer() {
        #expect(Crypto.randomBytes(count: 0).isEmpty)
        let a = Crypto.randomBytes(count: 32)
        let b = Crypto.randomBytes(count: 32)
        #expect(a.count == 32 && b.count == 32)
        #expect(a != b)
    }

    @Test func constantTimeEquals() {
        #expect(Crypto.constantTimeEquals([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEquals([1, 2, 3], [1, 2]))
        #expect(Crypto.constantTimeEquals([], []))
    }

    @Test func hexRoundTrip() {
        let all = (0...255).map { UInt8($0) }
        #expect(Crypto.bytes(hex: Crypto.hex(all)) == all)
        #expect(Crypto.hex([0xBA, 0x78, 0x00]) == "ba7800")
        #expect(Crypto.bytes(hex: "BA78") == [0xBA, 0x78])
        #expect(Crypto.bytes(hex: "abc") == nil)
        #expect(Crypto.bytes(hex: "zz") == nil)
        #expect(Crypto.bytes(hex: "") == [])
    }

    @Test func secretTokenGenerateAndHash() throws {
        let token = SecretToken.generate(prefix: "slu_")
        #expect(token.hasPrefix("slu_"))
        let body = String(token.dropFirst(4))
        #expect(body.count == 43)
        #expect(body.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        #expect(try #require(SecretToken.bytes(base64URL: body)).count == 32)
        #expect(SecretToken.generate(prefix: "slu_") != token)

        let hash = SecretToken.hash(token)
        #expect(hash == Crypto.hex(Crypto.sha256(token)))
        #expect(hash.count == 64)
        #expect(SecretToken.matches(token, hash: hash))
        #expect(SecretToken.matches(token, hash: hash.uppercased()))
        #expect(!SecretToken.matches(token + "x", hash: hash))
        #expect(SecretToken.hash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func base64URLUsesTheURLAlphabetWithoutPadding() {
        #expect(SecretToken.base64URL([0xFB, 0xFF]) == "-_8")
        #expect(SecretToken.bytes(base64URL: "-_8") == [0xFB, 0xFF])
        #expect(SecretToken.bytes(base64URL: "-_8=") == [0xFB, 0xFF])
        #expect(SecretToken.bytes(base64URL: "***") == nil)
    }
}

import Foundation
import Testing

@testable import Core

@Suite("SecretBox and ServerKey")
struct SecretBoxTests {
    let box = try! SecretBox(key: Crypto.randomBytes(count: 32))

    @Test(arguments: [0, 1, 15, 16, 17, 44, 1000])
    func roundTrip(length: Int) throws {
        let plain = Crypto.randomBytes(count: length)
        let sealed = box.seal(plain)
        #expect(sealed.count == length + SecretBox.overhead)
        #expect(try box.open(sealed) == plain)
        // A fresh nonce each time.
        #expect(box.seal(plain) != sealed)
    }

    @Test func everyTamperedByteIsDetected() throws {
        let sealed = box.seal(Array("whsec_secret".utf8))
        for i in sealed.indices {
            var bad = sealed
            bad[i] ^= 0x01
            #expect(throws: SecretBoxError.self) { try box.open(bad) }
        }
        #expect(throws: SecretBoxError.self) { try box.open(Array(sealed.dropLast())) }
        #expect(throws: SecretBoxError.self) { try box.open(Array(sealed.prefix(10))) }
    }

    @Test func wrongKeyFails() throws {
        let sealed = box.seal(Array("hello".utf8))
        let other = try SecretBox(key: Crypto.randomBytes(count: 32))
        do {
            _ = try other.open(sealed)
            Issue.record("opened with another key")
        } catch {
            #expect(error.code == .authenticationFailed)
        }
    }

    @Test func associatedDataIsBound() throws {
        let sealed = box.seal(Array("s".utf8), associatedData: Array("endpoint-1".utf8))
        #expect(try box.open(sealed, associatedData: Array("endpoint-1".utf8)) == Array("s".utf8))
        #expect(throws: SecretBoxError.self) { try box.open(sealed, associatedData: Array("endpoint-2".utf8)) }
        #expect(throws: SecretBoxError.self) { try box.open(sealed) }
    }

    @Test func keyMustBe32Bytes() {
        #expect(throws: SecretBoxError.self) { try SecretBox(key: Crypto.randomBytes(count: 16)) }
    }

    /// A known-answer test against the openssl command line (`openssl enc` has no GCM, so
    /// the ciphertext part is checked with AES-256-CTR, which GCM uses from counter 2).
    @Test func ciphertextMatchesOpenSSLCounterMode() throws {
        let key = Crypto.randomBytes(count: 32)
        let plain = Array("The quick brown fox jumps over the lazy dog".utf8)
        let sealed = try SecretBox(key: key).seal(plain)
        let nonce = Array(sealed.prefix(12))
        let dir = TemporaryDirectory()
        try Data(plain).write(to: URL(fileURLWithPath: dir.file("p")))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "enc", "-aes-256-ctr", "-K", Crypto.hex(key), "-iv", Crypto.hex(nonce + [0, 0, 0, 2]),
            "-in", dir.file("p"),
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect([UInt8](out) == Array(sealed[12..<(sealed.count - 16)]))
    }

    // MARK: ServerKey

    @Test func createsThenReusesTheKey() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("server.key")
        let first = try ServerKey.loadOrCreate(path: path)
        #expect(first.count == 32)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try ServerKey.loadOrCreate(path: path) == first)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["server.key"])
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o700, 0o660])
    func refusesWidePermissions(mode: Int) throws {
        let dir = TemporaryDirectory()
        let path = dir.file("server.key")
        _ = try ServerKey.loadOrCreate(path: path)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        do {
            _ = try ServerKey.loadOrCreate(path: path)
            Issue.record("accepted mode \(String(mode, radix: 8))")
        } catch {
            #expect(error.code == .permissions)
            #expect(error.message.contains("chmod 600"))
        }
    }

    @Test func strictModeIsAccepted() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("server.key")
        let key = try ServerKey.loadOrCreate(path: path)
        try FileManager.default.setAttributes([.posixPermissions: 0o400], ofItemAtPath: path)
        #expect(try ServerKey.loadOrCreate(path: path) == key)
    }

    @Test(arguments: [0, 16, 33])
    func refusesWrongSize(size: Int) throws {
        let dir = TemporaryDirectory()
        let path = dir.file("server.key")
        #expect(
            FileManager.default.createFile(
                atPath: path, contents: Data(count: size), attributes: [.posixPermissions: 0o600]))
        do {
            _ = try ServerKey.loadOrCreate(path: path)
            Issue.record("accepted a \(size)-byte key")
        } catch {
            #expect(error.code == .wrongSize)
        }
        // The file is left as it was, never replaced.
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count == size)
    }

    @Test func missingDirectoryIsAClearError() {
        #expect(throws: ServerKeyError.self) { try ServerKey.loadOrCreate(path: "/nonexistent-dir/x/server.key") }
    }
}

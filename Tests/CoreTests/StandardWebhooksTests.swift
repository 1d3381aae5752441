import Foundation
import Testing

@testable import Core

@Suite("Standard Webhooks")
struct StandardWebhooksTests {
    // The example published with the Standard Webhooks reference libraries.
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    static let timestamp: Int64 = 1_614_265_330
    static let body = Array(#"{"test": 2432232314}"#.utf8)
    static let published = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    static let now = Date(timeIntervalSince1970: Double(timestamp) + 10)

    private func verify(
        id: String? = id, timestamp: String? = String(timestamp), header: String?, secrets: [String] = [secret],
        now: Date = now
    ) -> StandardWebhooksError.Code? {
        do {
            try StandardWebhooks.verify(
                id: id, timestamp: timestamp, signatureHeader: header, body: Self.body, secrets: secrets, now: now)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func signMatchesThePublishedExample() throws {
        let header = try StandardWebhooks.sign(
            id: Self.id, timestamp: Self.timestamp, body: Self.body, secret: Self.secret)
        #expect(header == Self.published)
        #expect(verify(header: header) == nil)
    }

    /// The MAC computed by a different implementation: the openssl command line.
    @Test func signMatchesOpenSSL() throws {
        let secret = StandardWebhooks.generateSecret()
        let key = try #require(StandardWebhooks.keyBytes(secret))
        let body = Array("{\"id\":\"L-1\",\"price\":12.5,\"note\":\"ünïcode\"}".utf8)
        let dir = TemporaryDirectory()
        let input = dir.file("content")
        try Data(Array("msg_2.1700000000.".utf8) + body).write(to: URL(fileURLWithPath: input))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:" + Crypto.hex(key), "-binary", input,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let mac = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(mac.count == 32)
        let header = try StandardWebhooks.sign(id: "msg_2", timestamp: 1_700_000_000, body: body, secret: secret)
        #expect(header == "v1," + mac.base64EncodedString())
    }

    @Test func generatedSecretsAreDistinctAndUsable() throws {
        let a = StandardWebhooks.generateSecret()
        let b = StandardWebhooks.generateSecret()
        #expect(a != b)
        #expect(a.hasPrefix("whsec_"))
        #expect(StandardWebhooks.keyBytes(a)?.count == 32)
    }

    @Test func anyEntryMayMatchSoKeysCanRotate() throws {
        let old = StandardWebhooks.generateSecret()
        let signed = try StandardWebhooks.sign(id: Self.id, timestamp: Self.timestamp, body: Self.body, secret: old)
        let header = "v2,abc v1,AAAA " + Self.published + " " + signed
        #expect(verify(header: header) == nil)
        // The index of the secret that matched.
        let index = try StandardWebhooks.verify(
            id: Self.id, timestamp: String(Self.timestamp), signatureHeader: signed, body: Self.body,
            secrets: ["not base64!", Self.secret, old], now: Self.now)
        #expect(index == 2)
    }

    @Test(arguments: [
        ("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", StandardWebhooksError.Code.noMatchingSignature),
        ("v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", .noMatchingSignature),
        ("g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", .noMatchingSignature),
        ("v1,", .noMatchingSignature),
        ("v1,***", .noMatchingSignature),
    ])
    func wrongSignatures(header: String, expected: StandardWebhooksError.Code) {
        #expect(verify(header: header) == expected)
    }

    @Test func tamperedBodyOrIdFails() throws {
        #expect(verify(id: "msg_other", header: Self.published) == .noMatchingSignature)
        var body = Self.body
        body[body.count - 2] ^= 1
        #expect(
            throws: StandardWebhooksError.self,
            performing: {
                try StandardWebhooks.verify(
                    id: Self.id, timestamp: String(Self.timestamp), signatureHeader: Self.published, body: body,
                    secrets: [Self.secret], now: Self.now)
            })
        #expect(verify(header: Self.published, secrets: [StandardWebhooks.generateSecret()]) == .noMatchingSignature)
        #expect(verify(header: Self.published, secrets: []) == .noMatchingSignature)
    }

    @Test func missingHeaders() {
        #expect(verify(id: nil, header: Self.published) == .missingHeaders)
        #expect(verify(timestamp: nil, header: Self.published) == .missingHeaders)
        #expect(verify(header: nil) == .missingHeaders)
        #expect(verify(header: "") == .missingHeaders)
    }

    @Test(arguments: ["-1614265330", "1614265330.5", "abc", " 1614265330", "99999999999999"])
    func badTimestamps(timestamp: String) {
        #expect(verify(timestamp: timestamp, header: Self.published) == .invalidTimestamp)
    }

    @Test func timestampWindow() {
        let t = Double(Self.timestamp)
        #expect(verify(header: Self.published, now: Date(timeIntervalSince1970: t + 300)) == nil)
        #expect(verify(header: Self.published, now: Date(timeIntervalSince1970: t - 300)) == nil)
        #expect(verify(header: Self.published, now: Date(timeIntervalSince1970: t + 301)) == .timestampTooOld)
        #expect(verify(header: Self.published, now: Date(timeIntervalSince1970: t - 301)) == .timestampTooNew)
    }

    @Test func signRejectsABadSecret() {
        #expect(throws: StandardWebhooksError.self) {
            try StandardWebhooks.sign(id: "a", timestamp: 1, body: [], secret: "whsec_!!!")
        }
    }
}

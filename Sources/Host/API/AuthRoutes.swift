import Core
import Foundation
import HostHTTP

extension App {
    /// `POST /api/auth/login {"email","password"}`.
    func login(_ request: RouteRequest) async throws -> HTTPResponse {
        let body = try await jsonObject(request, limit: 16 * 1024)
        guard let rawEmail = body["email"]?.text, let password = body["password"]?.text, !password.isEmpty else {
            throw APIError.invalid("Send an email and a password.")
        }
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let address = request.head.remoteAddress
        if let wait = logins.retryAfter(account: email, address: address) {
            throw APIError(
                status: 429, code: "rate_limited", message: "Too many failed sign-ins; try again later.",
                extra: [("retryAfter", .number(Double(wait)))], headers: [("Retry-After", String(wait))])
        }
        let found = try await store.userForLogin(email: email)
        // Verify against a dummy hash when the account does not exist, so timing does not
        // tell which emails have accounts.
        let stored = found?.passwordHash ?? App.dummyHash
        let ok = await App.verifyOffPool(password, stored)
        guard ok, let user = found?.user else {
            logins.recordFailure(account: email, address: address)
            throw APIError(status: 401, code: "unauthorized", message: "The email or password is wrong.")
        }
        logins.recordSuccess(account: email)
        let token = SecretToken.generate(prefix: "slu_")
        let expiresAt = Date().addingTimeInterval(App.tokenLifetime)
        try await store.addToken(hash: SecretToken.hash(token), user: user, expiresAt: expiresAt)
        var w = JSONWriter()
        w.beginObject()
        w.member("token", token)
        w.member("expiresAt", RFC3339.string(expiresAt))
        w.key("user")
        w.beginObject()
        w.member("id", user.id)
        w.member("email", user.email)
        w.member("tenantId", user.tenantId)
        w.member("role", user.role.rawValue)
        w.endObject()
        w.endObject()
        return .json(200, w.string, headers: [("Cache-Control", "no-store")])
    }

    /// `POST /api/auth/logout`: revokes the presented token.
    func logout(_ request: RouteRequest) async throws -> HTTPResponse {
        _ = try await user(request)
        let token = String(request.head.headers["authorization"]!.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        _ = try await store.revokeToken(hash: SecretToken.hash(token))
        return HTTPResponse(status: 204)
    }

    static let dummyHash = PasswordHasher.hash(SecretToken.generate(prefix: ""))

    /// PBKDF2 takes ~100 ms of CPU: run it on a GCD queue, never on the cooperative pool.
    static func verifyOffPool(_ password: String, _ stored: String) async -> Bool {
        await withCheckedContinuation { c in
            DispatchQueue.global(qos: .userInitiated).async {
                c.resume(returning: PasswordHasher.verify(password, stored))
            }
        }
    }
}

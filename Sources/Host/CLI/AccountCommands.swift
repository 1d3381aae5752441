import Core
import Foundation

/// `sluice tenants add`, `users add`, `credentials add|revoke`.
enum AccountCommands {
    static let tokenLifetime: TimeInterval = 30 * 24 * 3600

    static func tenantsAdd(_ argv: [String]) async throws {
        let args = try Arguments(argv, valueOptions: ["db"], flagNames: ["json"])
        try args.expectPositionals(max: 1, usage: "sluice tenants add NAME")
        guard let name = args.positionals.first?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            throw UsageError("missing tenant NAME; usage: sluice tenants add NAME")
        }
        let store = try Environment(args).openStore()
        let tenant = try await store.createTenant(name: name)
        if args.flag("json") {
            Output.json(["id": tenant.id])
        } else {
            print(tenant.id)
        }
    }

    static func usersAdd(_ argv: [String]) async throws {
        let args = try Arguments(
            argv, valueOptions: ["db", "tenant", "email", "role", "password"], flagNames: ["json"])
        try args.expectPositionals(
            max: 0, usage: "sluice users add --tenant ID --email E [--role admin|agent] [--password P]")
        let tenantId = try args.required("tenant", "ID")
        guard let email = IdentityNormalizer.email(try args.required("email", "ADDRESS")) else {
            throw UsageError("--email is not an email address")
        }
        let roleName = args.value("role") ?? "agent"
        guard let role = User.Role(rawValue: roleName) else {
            throw UsageError("--role must be admin or agent, not '\(roleName)'")
        }
        var generated: String?
        let password: String
        if let given = args.value("password") {
            guard given.count >= 8 else { throw UsageError("--password must have at least 8 characters") }
            password = given
        } else {
            let p = SecretToken.base64URL(Crypto.randomBytes(count: 12))
            generated = p
            password = p
        }
        let store = try Environment(args).openStore()
        let user: User
        do {
            user = try await store.createUser(
                tenantId: tenantId, email: email, role: role, passwordHash: PasswordHasher.hash(password))
        } catch let e as StoreError {
            throw CommandFailure(e.message)
        }
        let token = SecretToken.generate(prefix: "slu_")
        try await store.addToken(
            hash: SecretToken.hash(token), user: user, expiresAt: Date().addingTimeInterval(tokenLifetime))
        if args.flag("json") {
            var out = ["id": user.id, "token": token]
            if let generated { out["password"] = generated }
            Output.json(out)
        } else {
            print("user \(user.id) (\(role.rawValue))")
            print("token \(token)")
            if let generated { print("password \(generated)") }
            FileHandle.standardError.write(
                Data("The token and password are shown once; only their hashes are stored.\n".utf8))
        }
    }

    static func credentialsAdd(_ argv: [String]) async throws {
        let args = try Arguments(argv, valueOptions: ["db", "vendors", "tenant", "vendor"], flagNames: ["json"])
        try args.expectPositionals(max: 0, usage: "sluice credentials add --tenant ID --vendor KEY")
        let tenantId = try args.required("tenant", "ID")
        let key = try args.required("vendor", "KEY")
        let env = Environment(args)
        let catalog = try env.loadVendors()
        guard let vendor = catalog[key] else { throw CommandFailure(catalog.unknownVendorMessage(key)) }
        guard let auth = vendor.config.webhookAuth else {
            throw CommandFailure("vendor '\(key)' takes no webhooks, so it has no credentials")
        }
        if auth == .standardWebhooks {
            try await addEndpoint(args: args, env: env, tenantId: tenantId, vendor: key)
            return
        }
        let store = try env.openStore()
        let sid = "sid_" + Crypto.hex(Crypto.randomBytes(count: 16))
        let apikey = SecretToken.generate(prefix: "key_")
        let cred: Credential
        do {
            cred = try await store.createCredential(
                tenantId: tenantId, vendor: key, sid: sid, secretHash: SecretToken.hash(apikey))
        } catch let e as StoreError {
            throw CommandFailure(e.message)
        }
        if args.flag("json") {
            Output.json(["vendor": key, "id": cred.id, "sid": sid, "apikey": apikey])
        } else {
            print("credential \(cred.id) for \(key)")
            print("sid     \(sid)")
            print("apikey  \(apikey)")
            FileHandle.standardError.write(Data("The apikey is shown once; only its hash is stored.\n".utf8))
        }
    }

    /// A Standard Webhooks endpoint: an id in the URL and a `whsec_` secret, sealed with
    /// the server key (it must stay usable for HMAC, so it cannot be hashed).
    static func addEndpoint(args: Arguments, env: Environment, tenantId: String, vendor: String) async throws {
        let box = try env.secretBox()
        let store = try env.openStore()
        guard let inbox = store as? any InboxStore else { throw CommandFailure("this store keeps no endpoints") }
        let endpointId = "ep_" + Crypto.hex(Crypto.randomBytes(count: 12))
        let secret = StandardWebhooks.generateSecret()
        let cred: Credential
        do {
            cred = try await inbox.createEndpointCredential(
                tenantId: tenantId, vendor: vendor, endpointId: endpointId,
                sealedSecret: box.seal(Array(secret.utf8), associatedData: Array(endpointId.utf8)))
        } catch let e as StoreError {
            throw CommandFailure(e.message)
        }
        let base = ProcessInfo.processInfo.environment["SLUICE_PUBLIC_URL"] ?? "http://127.0.0.1:8080"
        let url = base + "/api/webhooks/\(vendor)/\(endpointId)"
        if args.flag("json") {
            Output.json(["vendor": vendor, "id": cred.id, "endpointId": endpointId, "secret": secret, "url": url])
        } else {
            print("credential \(cred.id) for \(vendor)")
            print("url     \(url)")
            print("secret  \(secret)")
            FileHandle.standardError.write(
                Data("Sign deliveries with this secret (Standard Webhooks); it is shown once.\n".utf8))
        }
    }

    static func credentialsRevoke(_ argv: [String]) async throws {
        let args = try Arguments(argv, valueOptions: ["db", "vendor", "id"], flagNames: ["json"])
        try args.expectPositionals(max: 0, usage: "sluice credentials revoke --vendor KEY --id ID")
        let key = try args.required("vendor", "KEY")
        let id = try args.required("id", "ID")
        let store = try Environment(args).openStore()
        guard try await store.revokeCredential(vendor: key, id: id) else {
            throw CommandFailure("there is no active \(key) credential with id \(id)")
        }
        if args.flag("json") { print("{\"id\":\"\(id)\",\"revoked\":true}") } else { print("revoked \(id)") }
    }
}

enum Output {
    /// Prints exactly one JSON object of string members on stdout.
    static func json(_ members: [String: String]) {
        let data = try! JSONSerialization.data(withJSONObject: members, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }

    static func error(_ message: String) {
        FileHandle.standardError.write(Data(("sluice: " + message + "\n").utf8))
    }
}

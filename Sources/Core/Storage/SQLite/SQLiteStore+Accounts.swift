public import Foundation

extension SQLiteStore {
    public func createTenant(name: String) async throws -> Tenant {
        let now = Date()
        let tenant = Tenant(id: Identifier.make("tn", millis: RFC3339.millis(now)), name: name, createdAt: now)
        try await write { db in
            try db.prepare("INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)")
                .bind(1, tenant.id).bind(2, tenant.name).bind(3, RFC3339.millis(now)).run()
        }
        return tenant
    }

    public func tenant(id: String) async throws -> Tenant? {
        try await read { db in
            let s = try db.prepare("SELECT id, name, created_at FROM tenants WHERE id = ?").bind(1, id)
            defer { s.reset() }
            guard try s.step() else { return nil }
            return Tenant(id: s.text(0) ?? "", name: s.text(1) ?? "", createdAt: RFC3339.date(millis: s.int(2)))
        }
    }

    public func createUser(tenantId: String, email: String, role: User.Role, passwordHash: String) async throws -> User
    {
        let now = RFC3339.millis(Date())
        let user = User(id: Identifier.make("us", millis: now), tenantId: tenantId, email: email, role: role)
        try await write { db in
            guard try db.prepare("SELECT 1 FROM tenants WHERE id = ?").bind(1, tenantId).oneInt() != nil else {
                throw StoreError(.notFound, "there is no tenant with id \(tenantId)")
            }
            do {
                try db.prepare(
                    "INSERT INTO users (id, tenant_id, email, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)"
                ).bind(1, user.id).bind(2, tenantId).bind(3, email).bind(4, role.rawValue).bind(5, passwordHash)
                    .bind(6, now).run()
            } catch let e as SQLiteError where e.isUniqueViolation {
                throw StoreError(.conflict, "a user with this email already exists")
            }
        }
        return user
    }

    public func addToken(hash: String, user: User, expiresAt: Date) async throws {
        let now = RFC3339.millis(Date())
        try await write { db in
            try db.prepare(
                "INSERT INTO tokens (hash, user_id, tenant_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)"
            ).bind(1, hash).bind(2, user.id).bind(3, user.tenantId).bind(4, now).bind(5, RFC3339.millis(expiresAt))
                .run()
        }
    }

    public func createCredential(
        tenantId: String, vendor: String, sid: String?, secretHash: String?
    ) async throws
        -> Credential
    {
        let now = RFC3339.millis(Date())
        let cred = Credential(id: Identifier.make("cr", millis: now), tenantId: tenantId, vendor: vendor, sid: sid)
        try await write { db in
            guard try db.prepare("SELECT 1 FROM tenants WHERE id = ?").bind(1, tenantId).oneInt() != nil else {
                throw StoreError(.notFound, "there is no tenant with id \(tenantId)")
            }
            try db.prepare(
                "INSERT INTO credentials (id, tenant_id, vendor, sid, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            ).bind(1, cred.id).bind(2, tenantId).bind(3, vendor).bind(4, sid).bind(5, secretHash).bind(6, now).run()
        }
        return cred
    }

    public func revokeCredential(vendor: String, id: String) async throws -> Bool {
        let now = RFC3339.millis(Date())
        return try await write { db in
            try db.prepare(
                "UPDATE credentials SET revoked_at = ? WHERE id = ? AND vendor = ? AND revoked_at IS NULL"
            ).bind(1, now).bind(2, id).bind(3, vendor).run()
            return db.changes == 1
        }
    }

    public func lead(id: String, tenantId: String) async throws -> Lead? {
        try await read { db in
            let s = try db.prepare("SELECT \(LeadRows.columns) FROM leads WHERE id = ? AND tenant_id = ?")
            s.bind(1, id).bind(2, tenantId)
            defer { s.reset() }
            guard try s.step() else { return nil }
            return try LeadRows.read(s)
        }
    }

    public func leadCount(tenantId: String) async throws -> Int {
        try await read { db in
            Int(try db.prepare("SELECT count(*) FROM leads WHERE tenant_id = ?").bind(1, tenantId).oneInt() ?? 0)
        }
    }

    public func saveImport(id: String, tenantId: String, vendor: String?, reply: String) async throws {
        let now = RFC3339.millis(Date())
        try await write { db in
            try db.prepare(
                "INSERT OR REPLACE INTO imports (id, tenant_id, vendor, reply, created_at) VALUES (?, ?, ?, ?, ?)"
            ).bind(1, id).bind(2, tenantId).bind(3, vendor).bind(4, reply).bind(5, now).run()
        }
    }

    public func importReply(id: String, tenantId: String) async throws -> String? {
        try await read { db in
            try db.prepare("SELECT reply FROM imports WHERE id = ? AND tenant_id = ?").bind(1, id).bind(2, tenantId)
                .oneText()
        }
    }
}

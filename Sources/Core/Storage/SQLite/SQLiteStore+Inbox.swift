public import Foundation

extension SQLiteStore: InboxStore {
    @discardableResult
    public func addToInbox(_ entry: InboxEntry) async throws -> Int64 {
        let headers = entry.storedHeaders
        return try await write { db in
            try db.prepare(
                """
                INSERT INTO inbox (tenant_id, vendor, channel, received_at, headers, body, path, outcome, detail)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
            ).bind(1, entry.tenantId).bind(2, entry.vendor).bind(3, entry.channel.rawValue)
                .bind(4, RFC3339.millis(entry.receivedAt)).bind(5, headers).bind(6, entry.body).bind(7, entry.path)
                .bind(8, entry.outcome).bind(9, entry.detail).run()
            return db.lastInsertRowID
        }
    }

    public func inboxEntries(vendor: String, tenantId: String?, since: Date) async throws -> [InboxEntry] {
        try await read { db in
            let s = try db.prepare(
                """
                SELECT id, tenant_id, vendor, channel, received_at, headers, body, path, outcome, detail FROM inbox
                WHERE vendor = ?1 AND received_at >= ?2 AND (?3 IS NULL OR tenant_id = ?3) ORDER BY received_at, id
                """)
            s.bind(1, vendor).bind(2, RFC3339.millis(since)).bind(3, tenantId)
            defer { s.reset() }
            var out: [InboxEntry] = []
            while try s.step() {
                var headers: [(String, String)] = []
                if case .array(let pairs)? = try? JSONParser.parse(s.text(5) ?? "[]") {
                    for p in pairs {
                        if case .array(let kv) = p, kv.count == 2, let k = kv[0].text, let v = kv[1].text {
                            headers.append((k, v))
                        }
                    }
                }
                out.append(
                    InboxEntry(
                        id: s.int(0), tenantId: s.text(1) ?? "", vendor: s.text(2),
                        channel: InboxEntry.Channel(rawValue: s.text(3) ?? "") ?? .webhook,
                        receivedAt: RFC3339.date(millis: s.int(4)), headers: headers, body: s.blob(6), path: s.text(7),
                        outcome: s.text(8) ?? "", detail: s.text(9)))
            }
            return out
        }
    }

    public func purgeInbox(before cutoff: Date) async throws -> [String] {
        try await write { db in
            let s = try db.prepare("SELECT path FROM inbox WHERE received_at < ? AND path IS NOT NULL")
            s.bind(1, RFC3339.millis(cutoff))
            var paths: [String] = []
            while try s.step() { if let p = s.text(0) { paths.append(p) } }
            s.reset()
            try db.prepare("DELETE FROM inbox WHERE received_at < ?").bind(1, RFC3339.millis(cutoff)).run()
            // An import's reply goes with its uploaded file (its rejected rows go too).
            try db.prepare("DELETE FROM imports WHERE created_at < ?").bind(1, RFC3339.millis(cutoff)).run()
            return paths
        }
    }

    public func webhookDelivery(credentialId: String, webhookId: String) async throws -> String? {
        try await read { db in
            try db.prepare("SELECT lead_id FROM webhook_deliveries WHERE credential_id = ? AND webhook_id = ?")
                .bind(1, credentialId).bind(2, webhookId).oneText()
        }
    }

    public func recordWebhookDelivery(credentialId: String, webhookId: String, leadId: String) async throws {
        let now = RFC3339.millis(Date())
        try await write { db in
            try db.prepare(
                """
                INSERT INTO webhook_deliveries (credential_id, webhook_id, lead_id, created_at) VALUES (?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """
            ).bind(1, credentialId).bind(2, webhookId).bind(3, leadId).bind(4, now).run()
        }
    }

    public func createEndpointCredential(
        tenantId: String, vendor: String, endpointId: String, sealedSecret: [UInt8]
    )
        async throws -> Credential
    {
        let now = RFC3339.millis(Date())
        let cred = Credential(
            id: Identifier.make("cr", millis: now), tenantId: tenantId, vendor: vendor, sid: endpointId)
        try await write { db in
            guard try db.prepare("SELECT 1 FROM tenants WHERE id = ?").bind(1, tenantId).oneInt() != nil else {
                throw StoreError(.notFound, "there is no tenant with id \(tenantId)")
            }
            try db.prepare(
                "INSERT INTO credentials (id, tenant_id, vendor, sid, secret_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)"
            ).bind(1, cred.id).bind(2, tenantId).bind(3, vendor).bind(4, endpointId).bind(5, sealedSecret)
                .bind(6, now).run()
        }
        return cred
    }

    public func endpointCredential(
        vendor: String, endpointId: String
    ) async throws -> (
        credential: Credential, sealedSecret: [UInt8]
    )? {
        try await read { db in
            let s = try db.prepare(
                """
                SELECT id, tenant_id, vendor, sid, secret_sealed FROM credentials
                WHERE sid = ? AND vendor = ? AND revoked_at IS NULL AND secret_sealed IS NOT NULL
                """)
            s.bind(1, endpointId).bind(2, vendor)
            defer { s.reset() }
            guard try s.step(), let sealed = s.blob(4) else { return nil }
            return (
                Credential(id: s.text(0) ?? "", tenantId: s.text(1) ?? "", vendor: s.text(2) ?? "", sid: s.text(3)),
                sealed
            )
        }
    }
}

public import Foundation

extension SQLiteStore {
    public func listLeads(_ query: LeadQuery) async throws -> LeadPage {
        let limit = max(1, min(query.limit, 500))
        return try await read { db in
            var sql = "SELECT \(LeadRows.columns) FROM leads WHERE tenant_id = ?1"
            if query.cursor != nil { sql += " AND (created_at < ?2 OR (created_at = ?2 AND id < ?3))" }
            if query.source != nil { sql += " AND source = ?4" }
            if query.q != nil {
                sql += " AND (name LIKE ?5 ESCAPE '\\' OR email LIKE ?5 ESCAPE '\\' OR phone LIKE ?5 ESCAPE '\\'"
                sql += " OR (?6 IS NOT NULL AND phone LIKE ?6 ESCAPE '\\'))"
            }
            sql += " ORDER BY created_at DESC, id DESC LIMIT ?7"
            let s = try db.prepare(sql)
            s.bind(1, query.tenantId)
            if let c = query.cursor { s.bind(2, c.createdAtMillis).bind(3, c.id) }
            if let source = query.source { s.bind(4, source) }
            if let q = query.q {
                s.bind(5, "%" + SQLiteStore.escapeLike(q) + "%")
                // "555-201" finds +15552013344: compare digits when the text is a phone fragment.
                let digits = q.filter(\.isASCII).filter(\.isNumber)
                let phoneLike = q.allSatisfy { $0.isNumber || " -().+".contains($0) } && digits.count >= 3
                s.bind(6, phoneLike ? "%" + digits + "%" : nil)
            }
            s.bind(7, limit + 1)
            defer { s.reset() }
            var leads: [Lead] = []
            while try s.step() { leads.append(try LeadRows.read(s)) }
            var next: LeadCursor?
            if leads.count > limit {
                leads.removeLast()
                let last = leads[leads.count - 1]
                next = LeadCursor(createdAtMillis: RFC3339.millis(last.createdAt), id: last.id)
            }
            return LeadPage(leads: leads, nextCursor: next)
        }
    }

    static func escapeLike(_ text: String) -> String {
        var out = ""
        for c in text {
            if c == "%" || c == "_" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    public func updateLead(id: String, tenantId: String, changes: LeadChanges) async throws -> Lead? {
        let lw = leadWriter
        return try await write { db in
            guard var lead = try lw.load(id: id, tenantId: tenantId) else { return nil }
            if let s = changes.status { lead.status = s }
            if let d = changes.disposition { lead.disposition = d }
            if let owner = changes.assignedTo {
                if let owner {
                    let sameTenant = try db.prepare("SELECT 1 FROM users WHERE id = ? AND tenant_id = ?")
                        .bind(1, owner).bind(2, tenantId).oneInt()
                    guard sameTenant != nil else {
                        throw StoreError(.invalidInput, "assignedTo must be a user of this tenant")
                    }
                }
                lead.assignedTo = owner
            }
            lead.updatedAt = Date()
            try db.prepare(
                "UPDATE leads SET status = ?, disposition = ?, assigned_to = ?, updated_at = ? WHERE id = ? AND tenant_id = ?"
            ).bind(1, lead.status).bind(2, lead.disposition).bind(3, lead.assignedTo)
                .bind(4, RFC3339.millis(lead.updatedAt)).bind(5, id).bind(6, tenantId).run()
            lw.remember(lead)
            return lead
        }
    }

    public func userForLogin(email: String) async throws -> (user: User, passwordHash: String)? {
        try await read { db in
            let s = try db.prepare("SELECT id, tenant_id, email, role, password_hash FROM users WHERE email = ?")
            s.bind(1, email)
            defer { s.reset() }
            guard try s.step(), let role = User.Role(rawValue: s.text(3) ?? "") else { return nil }
            return (
                User(id: s.text(0) ?? "", tenantId: s.text(1) ?? "", email: s.text(2) ?? "", role: role),
                s.text(4) ?? ""
            )
        }
    }

    public func user(tokenHash: String, now: Date) async throws -> User? {
        try await read { db in
            let s = try db.prepare(
                """
                SELECT u.id, u.tenant_id, u.email, u.role FROM tokens t JOIN users u ON u.id = t.user_id
                WHERE t.hash = ? AND t.revoked_at IS NULL AND t.expires_at > ?
                """)
            s.bind(1, tokenHash).bind(2, RFC3339.millis(now))
            defer { s.reset() }
            guard try s.step(), let role = User.Role(rawValue: s.text(3) ?? "") else { return nil }
            return User(id: s.text(0) ?? "", tenantId: s.text(1) ?? "", email: s.text(2) ?? "", role: role)
        }
    }

    public func revokeToken(hash: String) async throws -> Bool {
        let now = RFC3339.millis(Date())
        return try await write { db in
            try db.prepare("UPDATE tokens SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL")
                .bind(1, now).bind(2, hash).run()
            return db.changes == 1
        }
    }

    public func credential(sid: String) async throws -> (credential: Credential, secretHash: String)? {
        try await read { db in
            let s = try db.prepare(
                "SELECT id, tenant_id, vendor, sid, secret_hash FROM credentials WHERE sid = ? AND revoked_at IS NULL")
            s.bind(1, sid)
            defer { s.reset() }
            guard try s.step(), let hash = s.text(4) else { return nil }
            return (
                Credential(id: s.text(0) ?? "", tenantId: s.text(1) ?? "", vendor: s.text(2) ?? "", sid: s.text(3)),
                hash
            )
        }
    }
}

extension SQLiteStore {
    /// Gives the write-ahead log its working size up front, filled with zeros, so a
    /// commit overwrites blocks the file already has instead of growing it: growing
    /// makes every commit's fsync write the file's metadata too (measured here: 0.23–0.28
    /// ms per fsync against 0.10 ms in place). SQLite keeps the file at its largest
    /// size between checkpoints anyway; this starts it there (a quarter past the
    /// checkpoint threshold: ``Checkpointer/preparedLogBytes``). Zeros past the last frame
    /// are not frames (their checksums fail), as after any restart of the log.
    ///
    /// Runs under the write lock, so no connection appends to the log meanwhile. For a
    /// long-running host at start-up; SQLite deletes the log when the last connection
    /// closes. Returns the bytes written.
    @discardableResult
    public func prepareLog() async throws -> Int {
        let path = self.path + "-wal"
        let target = Checkpointer.preparedLogBytes
        return try await writer.run { db in
            try db.transaction {
                let fd = open(path, O_WRONLY | O_CLOEXEC)
                guard fd >= 0 else { return 0 }
                defer { close(fd) }
                var info = stat()
                guard fstat(fd, &info) == 0, Int(info.st_size) < target else { return 0 }
                let chunk = [UInt8](repeating: 0, count: 1 << 20)
                var offset = Int(info.st_size)
                while offset < target {
                    let n = chunk.withUnsafeBytes {
                        pwrite(fd, $0.baseAddress, min($0.count, target - offset), off_t(offset))
                    }
                    if n < 0, errno == EINTR { continue }
                    guard n > 0 else { break }  // a full disk: the log just grows as it would have
                    offset += n
                }
                guard fdatasync(fd) == 0 else { return 0 }
                return offset - Int(info.st_size)
            }
        }
    }
}

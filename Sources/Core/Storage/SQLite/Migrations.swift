/// The database schema as an ordered, named, forward-only list of migrations.
///
/// Applied ones are recorded in `schema_migrations`; a migration is never edited once
/// shipped — a change is a new entry at the end.
enum Migrations {
    struct Migration {
        let name: String
        let sql: String
    }

    static let all: [Migration] = [
        Migration(
            name: "0001_core",
            sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    email TEXT NOT NULL UNIQUE,
                    role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
                    password_hash TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                -- API tokens, stored as SHA-256 hashes only.
                CREATE TABLE tokens (
                    hash TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id),
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER
                ) WITHOUT ROWID;
                -- Vendor webhook credentials. `secret_hash` for api-key vendors (NextGen);
                -- `secret_sealed` (encrypted with the server key) for HMAC vendors.
                CREATE TABLE credentials (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL REFERENCES tenants(id),
                    vendor TEXT NOT NULL,
                    sid TEXT UNIQUE,
                    secret_hash TEXT,
                    secret_sealed BLOB,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                -- Rowid tables for wide rows: a WITHOUT ROWID row over ~1 KB spills into a
                -- whole overflow page.
                CREATE TABLE leads (
                    id TEXT NOT NULL UNIQUE,
                    tenant_id TEXT NOT NULL,
                    source TEXT NOT NULL,
                    vendor_lead_id TEXT,
                    first_name TEXT, last_name TEXT, name TEXT,
                    email TEXT, phone TEXT,
                    street1 TEXT, city TEXT, state TEXT, zipcode TEXT, dob TEXT, gender TEXT,
                    price TEXT,
                    created_at INTEGER NOT NULL,
                    received_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    enriched_at INTEGER,
                    enrichment_status TEXT NOT NULL,
                    enrichment_attempts INTEGER NOT NULL DEFAULT 0,
                    enrichment_error TEXT,
                    status TEXT NOT NULL,
                    disposition TEXT NOT NULL,
                    assigned_to TEXT,
                    doc TEXT NOT NULL
                );
                -- Identity: one lead per phone and per email within a tenant.
                CREATE UNIQUE INDEX leads_tenant_phone ON leads (tenant_id, phone) WHERE phone IS NOT NULL;
                CREATE UNIQUE INDEX leads_tenant_email ON leads (tenant_id, email) WHERE email IS NOT NULL;
                CREATE INDEX leads_tenant_created ON leads (tenant_id, created_at DESC, id DESC);
                -- Every (vendor, vendor lead id) a lead was sold under, unique within the tenant.
                CREATE TABLE lead_keys (
                    tenant_id TEXT NOT NULL,
                    vendor TEXT NOT NULL,
                    vendor_lead_id TEXT NOT NULL,
                    lead_id TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, vendor, vendor_lead_id)
                ) WITHOUT ROWID;
                -- The member names of stored records, once per distinct list (a CSV header,
                -- a webhook payload's keys), so each purchase stores its values only.
                CREATE TABLE record_names (
                    id INTEGER PRIMARY KEY,
                    names TEXT NOT NULL UNIQUE
                );
                -- Every purchase a lead is made of. `record_hash` recognises a repeat of
                -- the same record. Webhook purchases also keep the record as received
                -- (`record`, a JSON array of values named by `record_names`): their
                -- enrichment runs from it later. CSV rows are enriched inline and their
                -- file is kept whole (uploads) or by the user (command line), so their
                -- rows stay small.
                CREATE TABLE purchases (
                    tenant_id TEXT NOT NULL,
                    vendor TEXT NOT NULL,
                    purchase_key TEXT NOT NULL,
                    lead_id TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    record_hash INTEGER NOT NULL,
                    names_id INTEGER NOT NULL REFERENCES record_names(id),
                    record TEXT,
                    UNIQUE (tenant_id, vendor, purchase_key)
                );
                -- Deferred enrichment, written in the same transaction as the lead.
                CREATE TABLE enrichment_jobs (
                    id INTEGER PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    lead_id TEXT NOT NULL,
                    vendor TEXT NOT NULL,
                    purchase_key TEXT NOT NULL,
                    state TEXT NOT NULL CHECK (state IN ('pending', 'parked')),
                    attempts INTEGER NOT NULL DEFAULT 0,
                    run_after INTEGER NOT NULL,
                    last_error TEXT,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX enrichment_jobs_due ON enrichment_jobs (state, run_after);
                CREATE INDEX enrichment_jobs_lead ON enrichment_jobs (lead_id);
                CREATE TABLE imports (
                    id TEXT PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    vendor TEXT,
                    reply TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                """),
        Migration(
            name: "0002_inbox",
            sql: """
                -- Every webhook body and uploaded file as received, before any transform,
                -- kept for a retention period so `sluice replay` can run them again.
                -- Uploaded files live on disk (`path`); webhook bodies inline.
                CREATE TABLE inbox (
                    id INTEGER PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    vendor TEXT,
                    channel TEXT NOT NULL CHECK (channel IN ('webhook', 'upload')),
                    received_at INTEGER NOT NULL,
                    headers TEXT NOT NULL,
                    body BLOB,
                    path TEXT,
                    outcome TEXT NOT NULL,
                    detail TEXT
                );
                CREATE INDEX inbox_vendor_received ON inbox (vendor, received_at);
                CREATE INDEX inbox_received ON inbox (received_at);
                -- Standard Webhooks `webhook-id`s already accepted per endpoint.
                CREATE TABLE webhook_deliveries (
                    credential_id TEXT NOT NULL,
                    webhook_id TEXT NOT NULL,
                    lead_id TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (credential_id, webhook_id)
                ) WITHOUT ROWID;
                """),
        Migration(
            name: "0003_events",
            sql: """
                -- Every event a tenant's sockets see, with the tenant's next `seq` (rising by
                -- one), written in the transaction that caused it: replay after a reconnect
                -- reads from here, not from memory. `payload` is the event's JSON `data`.
                CREATE TABLE events (
                    id INTEGER PRIMARY KEY,
                    tenant_id TEXT NOT NULL,
                    seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    received_at INTEGER NOT NULL,
                    committed_at INTEGER,
                    broadcast_at INTEGER,
                    UNIQUE (tenant_id, seq)
                );
                CREATE INDEX events_committed ON events (committed_at);
                """),
    ]

    /// Applies every migration not yet recorded, each in its own transaction.
    static func migrate(_ db: SQLiteConnection, now: Int64) throws {
        try db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)")
        for m in all {
            try db.transaction {
                let seen = try db.prepare("SELECT 1 FROM schema_migrations WHERE name = ?").bind(1, m.name).oneInt()
                guard seen == nil else { return }
                try db.execute(m.sql)
                try db.prepare("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)")
                    .bind(1, m.name).bind(2, now).run()
            }
        }
    }
}

public import Foundation

/// Where tenants, users, credentials, leads and their purchases live.
///
/// SQLite is the embedded default (``SQLiteStore``); a PostgreSQL store shared by
/// several hosts implements the same protocol. Every lead operation takes the tenant
/// explicitly and never crosses it: a lead id of another tenant is simply not found.
///
/// Implementations are thread-safe and may be shared by every task of the host.
public protocol LeadStore: Sendable {
    // MARK: Accounts
    func createTenant(name: String) async throws -> Tenant
    func tenant(id: String) async throws -> Tenant?
    func createUser(tenantId: String, email: String, role: User.Role, passwordHash: String) async throws -> User
    /// Stores the SHA-256 hash of an API token for `user`.
    func addToken(hash: String, user: User, expiresAt: Date) async throws
    /// Stores a vendor credential; `secretHash` for api-key vendors.
    func createCredential(
        tenantId: String, vendor: String, sid: String?, secretHash: String?
    ) async throws -> Credential
    /// Revokes the credential `id` of `vendor`; false when there is no such active credential.
    func revokeCredential(vendor: String, id: String) async throws -> Bool

    // MARK: Ingest
    /// Stores purchases in one transaction (CSV batches). Results are in input order;
    /// an item that fails alone is reported as a failure, the others still commit.
    ///
    /// With `commit: false` the transaction stays open for the next batch (large imports
    /// commit every half second or so: each commit rewrites every index page it touched);
    /// ``commit()`` ends it. Results of uncommitted batches are not durable yet.
    ///
    /// `importId` names the import the batch belongs to. While a transaction holds only
    /// that import's batches, the store may run the next one without per-batch undo; if
    /// such a batch fails, the transaction is rolled back and this throws (the import
    /// keeps what it committed). Batches of another import, or without an id, keep
    /// their own undo, so one import's failure never takes another's rows with it.
    func ingest(batch: [IngestItem], commit: Bool, importId: String?) async throws -> [Result<BatchOutcome, StoreError>]
    /// Commits a transaction an `ingest(batch:commit: false)` left open; no-op otherwise.
    func commit() async throws
    /// Stores one purchase, sharing the commit with whatever else is waiting (group
    /// commit). Returns once the purchase is durable.
    func ingest(_ item: IngestItem) async throws -> IngestResult

    // MARK: Reads
    func lead(id: String, tenantId: String) async throws -> Lead?
    func leadCount(tenantId: String) async throws -> Int

    /// One page of a tenant's leads, newest first (`createdAt` desc, then `id` desc).
    func listLeads(_ query: LeadQuery) async throws -> LeadPage
    /// Changes the agents' values of a lead; nil when the tenant has no such lead.
    func updateLead(id: String, tenantId: String, changes: LeadChanges) async throws -> Lead?

    // MARK: Sign-in
    /// The user with `email` (lower-cased) and their stored password hash.
    func userForLogin(email: String) async throws -> (user: User, passwordHash: String)?
    /// The user a live (unrevoked, unexpired) token hash belongs to.
    func user(tokenHash: String, now: Date) async throws -> User?
    /// Revokes a token; false when it was not live.
    func revokeToken(hash: String) async throws -> Bool
    /// The active credential with this `sid` and its secret hash.
    func credential(sid: String) async throws -> (credential: Credential, secretHash: String)?

    // MARK: Imports
    /// Keeps an import's reply for `GET /api/imports/{batchId}`.
    func saveImport(id: String, tenantId: String, vendor: String?, reply: String) async throws
    func importReply(id: String, tenantId: String) async throws -> String?
}

/// Opens the store a `--db` value names: a file path (SQLite) or, later, a
/// `postgres://` URL.
public enum StoreLocation {
    public static func open(_ location: String) throws -> any LeadStore {
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            throw StoreError(
                .unsupported, "PostgreSQL is not supported yet: use a SQLite file path for --db.")
        }
        return try SQLiteStore(path: location)
    }
}

extension LeadStore {
    /// ``ingest(batch:commit:importId:)`` for a batch of no particular import.
    public func ingest(batch: [IngestItem], commit: Bool) async throws -> [Result<BatchOutcome, StoreError>] {
        try await ingest(batch: batch, commit: commit, importId: nil)
    }

    /// Stores purchases in one committed transaction.
    public func ingest(batch: [IngestItem]) async throws -> [Result<BatchOutcome, StoreError>] {
        try await ingest(batch: batch, commit: true)
    }
}

/// What `GET /api/leads` asks for.
public struct LeadQuery: Sendable, Hashable {
    public var tenantId: String
    public var limit: Int
    /// Opaque position from a previous page's `nextCursor`.
    public var cursor: LeadCursor?
    /// Matched literally (no wildcards) against name, phone and email.
    public var q: String?
    /// A vendor key: leads whose first purchase came from it.
    public var source: String?

    public init(tenantId: String, limit: Int = 50, cursor: LeadCursor? = nil, q: String? = nil, source: String? = nil) {
        self.tenantId = tenantId
        self.limit = limit
        self.cursor = cursor
        self.q = q
        self.source = source
    }
}

/// A position in the newest-first order: the last lead of a page.
public struct LeadCursor: Sendable, Hashable {
    public var createdAtMillis: Int64
    public var id: String

    public init(createdAtMillis: Int64, id: String) {
        self.createdAtMillis = createdAtMillis
        self.id = id
    }

    /// Opaque text form (`nextCursor` in the API).
    public var token: String {
        SecretToken.base64URL(Array("\(createdAtMillis):\(id)".utf8))
    }

    /// Reads a token; nil when it is not one of ours.
    public init?(token: String) {
        guard let bytes = SecretToken.bytes(base64URL: token), let text = String(validating: bytes, as: UTF8.self),
            let colon = text.firstIndex(of: ":"), let ms = Int64(text[..<colon])
        else { return nil }
        let id = String(text[text.index(after: colon)...])
        guard !id.isEmpty, id.count < 64 else { return nil }
        self.init(createdAtMillis: ms, id: id)
    }
}

public struct LeadPage: Sendable {
    public var leads: [Lead]
    public var nextCursor: LeadCursor?
    public init(leads: [Lead], nextCursor: LeadCursor?) {
        self.leads = leads
        self.nextCursor = nextCursor
    }
}

/// The agents' values of a lead (`PATCH /api/leads/{id}`); nil members stay as they are.
public struct LeadChanges: Sendable, Hashable {
    public var status: String?
    public var disposition: String?
    /// A user id of the same tenant; `.some(nil)` clears the owner.
    public var assignedTo: String??
    public init(status: String? = nil, disposition: String? = nil, assignedTo: String?? = nil) {
        self.status = status
        self.disposition = disposition
        self.assignedTo = assignedTo
    }
}

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
    func ingest(batch: [IngestItem]) async throws -> [Result<BatchOutcome, StoreError>]
    /// Stores one purchase, sharing the commit with whatever else is waiting (group
    /// commit). Returns once the purchase is durable.
    func ingest(_ item: IngestItem) async throws -> IngestResult

    // MARK: Reads
    func lead(id: String, tenantId: String) async throws -> Lead?
    func leadCount(tenantId: String) async throws -> Int

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

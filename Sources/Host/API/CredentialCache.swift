import Core
import Foundation
import Synchronization

/// NextGen webhook credentials by `sid`, kept for a minute after they were read.
///
/// Reading the credential on the store's reader thread cost every webhook two thread
/// hand-offs (~160 µs of a ~1 ms webhook, measured). Credentials never change except by
/// being revoked, and revocation is checked where it cannot be stale: the write
/// transaction that stores the delivery verifies the credential is still active
/// (`IngestItem.credentialId`), so a `sluice credentials revoke` from another process
/// takes effect for the very next webhook, cache or not. The apikey is checked against
/// the stored hash on every request. Unknown `sid`s are never cached and the cache is
/// bounded, so guessing cannot grow it.
final class CredentialCache: Sendable {
    typealias Found = (credential: Credential, secretHash: String)

    static let lifetime: Duration = .seconds(60)
    static let capacity = 1024

    private struct Entry {
        var found: Found
        var expires: ContinuousClock.Instant
    }
    private let entries = Mutex<[String: Entry]>([:])

    /// The active credential with `sid` as last read, or read now by `load`.
    func credential(sid: String, load: (String) async throws -> Found?) async throws -> Found? {
        let now = ContinuousClock.now
        if let hit = entries.withLock({ $0[sid] }), hit.expires > now { return hit.found }
        guard let found = try await load(sid) else {
            forget(sid: sid)
            return nil
        }
        entries.withLock { e in
            if e.count >= Self.capacity { e.removeAll(keepingCapacity: true) }
            e[sid] = Entry(found: found, expires: now + Self.lifetime)
        }
        return found
    }

    /// Drops `sid` (its credential turned out to be revoked).
    func forget(sid: String) {
        entries.withLock { _ = $0.removeValue(forKey: sid) }
    }
}

import Foundation
import Synchronization

/// Limits failed sign-ins: at most 10 per account and 50 per client address in any
/// 15-minute window. Over the limit, sign-in answers 429 with `Retry-After` without
/// checking the password (so the limit also caps the KDF work an attacker can cause).
///
/// In memory, per host process; thread-safe.
final class LoginLimiter: Sendable {
    static let window: TimeInterval = 15 * 60
    static let perAccount = 10
    static let perAddress = 50

    private let failures = Mutex<[String: [Date]]>([:])

    /// Seconds to wait when `account` or `address` is over its limit; nil when allowed.
    func retryAfter(account: String, address: String, now: Date = Date()) -> Int? {
        failures.withLock { f in
            var wait: TimeInterval = 0
            for (key, limit) in [("a:" + account, Self.perAccount), ("i:" + address, Self.perAddress)] {
                let recent = (f[key] ?? []).filter { now.timeIntervalSince($0) < Self.window }
                f[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    wait = max(wait, Self.window - now.timeIntervalSince(oldest))
                }
            }
            return wait > 0 ? Int(wait.rounded(.up)) : nil
        }
    }

    func recordFailure(account: String, address: String, now: Date = Date()) {
        failures.withLock { f in
            f["a:" + account, default: []].append(now)
            f["i:" + address, default: []].append(now)
        }
    }

    func recordSuccess(account: String) {
        _ = failures.withLock { $0.removeValue(forKey: "a:" + account) }
    }
}

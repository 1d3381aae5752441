import Core
import Foundation

/// Structured log lines on stderr: a constant message and metadata (`lead.id`,
/// `vendor`, `tenant.id`), never a phone number or an email.
enum Log {
    static func info(_ message: StaticString, _ metadata: [String: String] = [:]) { write("info", message, metadata) }
    static func error(_ message: StaticString, _ metadata: [String: String] = [:]) { write("error", message, metadata) }

    private static func write(_ level: String, _ message: StaticString, _ metadata: [String: String]) {
        var line = "\(RFC3339.string(Date())) \(level) \(message)"
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { line += " \(k)=\(v)" }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

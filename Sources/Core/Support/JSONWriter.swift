package import Foundation

/// A small, fast JSON writer into a byte buffer.
///
/// Foundation's encoders allocate a tree per value; the ingest path writes a few
/// thousand bytes per lead, so it writes bytes directly. Output is compact UTF-8 JSON,
/// object members in the order written (callers sort where stable output matters).
package struct JSONWriter {
    package private(set) var bytes: [UInt8] = []
    private var needsComma = false

    package init(capacity: Int = 512) { bytes.reserveCapacity(capacity) }

    package var string: String { String(decoding: bytes, as: UTF8.self) }

    package mutating func beginObject() {
        separator()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    package mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    package mutating func beginArray() {
        separator()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    package mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// Writes `"key":`; the next value call writes the value.
    package mutating func key(_ k: String) {
        separator()
        quoted(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    package mutating func value(_ s: String?) {
        separator()
        if let s { quoted(s) } else { bytes.append(contentsOf: "null".utf8) }
        needsComma = true
    }

    package mutating func value(_ b: Bool) {
        separator()
        bytes.append(contentsOf: (b ? "true" : "false").utf8)
        needsComma = true
    }

    package mutating func value(_ n: Int) {
        separator()
        bytes.append(contentsOf: String(n).utf8)
        needsComma = true
    }

    package mutating func value(_ n: Int64?) {
        separator()
        bytes.append(contentsOf: (n.map { String($0) } ?? "null").utf8)
        needsComma = true
    }

    package mutating func value(_ d: Decimal?) {
        separator()
        bytes.append(contentsOf: (d?.plainText ?? "null").utf8)
        needsComma = true
    }

    package mutating func raw(_ json: String) {
        separator()
        bytes.append(contentsOf: json.utf8)
        needsComma = true
    }

    /// Writes `v`; object members sorted by key unless `sorted` is false (storage that
    /// never compares text can skip the sort).
    package mutating func value(_ v: JSONValue, sorted: Bool = true) {
        switch v {
        case .null: value(nil as String?)
        case .bool(let b): value(b)
        case .string(let s): value(s)
        case .number(let d):
            separator()
            bytes.append(contentsOf: (d.isFinite ? JSONValue.format(d) : "null").utf8)
            needsComma = true
        case .array(let items):
            beginArray()
            for item in items { value(item, sorted: sorted) }
            endArray()
        case .object(let members):
            beginObject()
            if sorted {
                for (k, v) in members.sorted(by: { $0.key < $1.key }) {
                    key(k)
                    value(v, sorted: true)
                }
            } else {
                for (k, v) in members {
                    key(k)
                    value(v, sorted: false)
                }
            }
            endObject()
        }
    }

    /// `"k": v` in one call.
    package mutating func member(_ k: String, _ s: String?) {
        key(k)
        value(s)
    }

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func quoted(_ s: String) {
        var s = s
        s.withUTF8 { quoted($0) }
    }

    /// Copies runs that need no escaping whole (most values are one run).
    private mutating func quoted(_ text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var start = 0
        for i in 0..<text.count {
            let b = text[i]
            guard b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") else { continue }
            if start < i { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start..<i])) }
            start = i + 1
            switch b {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [92, 92])
            case 0x0A: bytes.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [92, UInt8(ascii: "t")])
            default:
                bytes.append(contentsOf: [
                    92, UInt8(ascii: "u"), 48, 48, JSONWriter.hex[Int(b >> 4)], JSONWriter.hex[Int(b & 15)],
                ])
            }
        }
        if start < text.count { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[start...])) }
        bytes.append(UInt8(ascii: "\""))
    }
}

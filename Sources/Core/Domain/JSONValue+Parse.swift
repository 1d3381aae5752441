public import Foundation

extension JSONValue {
    /// Errors reading JSON text.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses JSON text (any top-level value), strictly (RFC 8259), with nesting limited
    /// to `maxDepth` levels so hostile input fails with a ``ParseError`` instead of
    /// exhausting the stack.
    public static func parse(_ data: Data, maxDepth: Int = 64) throws(ParseError) -> JSONValue {
        try parse([UInt8](data), maxDepth: maxDepth)
    }

    /// Parses UTF-8 JSON text already in an array (a request body) without copying it.
    /// A pure function: callable from any thread.
    ///
    /// ```swift
    /// let value = try JSONValue.parse(Array(#"{"phone":"5552013344"}"#.utf8))
    /// ```
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 64) throws(ParseError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes, maxDepth: maxDepth)
        } catch {
            throw ParseError(message: "invalid JSON: \(error.description)")
        }
    }

    public static func parse(_ text: String, maxDepth: Int = 64) throws(ParseError) -> JSONValue {
        do {
            return try JSONParser.parse(text, maxDepth: maxDepth)
        } catch {
            throw ParseError(message: "invalid JSON: \(error.description)")
        }
    }

    /// Converts a Foundation JSON object tree.
    init(any: Any) {
        switch any {
        case is NSNull: self = .null
        case let s as String: self = .string(s)
        case let n as NSNumber:
            // JSON booleans come back as NSNumber too; their Objective-C type is "c".
            if String(cString: n.objCType) == "c" {
                self = .bool(n.boolValue)
            } else {
                self = .number(n.doubleValue)
            }
        case let a as [Any]: self = .array(a.map(JSONValue.init(any:)))
        case let o as [String: Any]: self = .object(o.mapValues(JSONValue.init(any:)))
        default: self = .null
        }
    }

    /// Compact JSON text, object members sorted.
    public var jsonText: String {
        var w = JSONWriter()
        w.value(self)
        return w.string
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }
}

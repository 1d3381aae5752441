public import Foundation

extension JSONValue {
    /// Errors reading JSON text.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Parses JSON text (any top-level value). Nesting deeper than Foundation allows
    /// (512) fails with a ``ParseError`` instead of crashing.
    public static func parse(_ data: Data) throws(ParseError) -> JSONValue {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw ParseError(message: "invalid JSON: \((error as NSError).localizedDescription)")
        }
        return JSONValue(any: object)
    }

    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        try parse(Data(text.utf8))
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

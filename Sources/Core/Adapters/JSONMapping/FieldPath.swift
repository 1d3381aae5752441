/// Where a `json-mapping` value sits in a JSON body: `contact.phones[0]`,
/// `name.first`, `meta["odd.key"]`.
///
/// The first step names a top-level member of the body; each further step descends
/// into an object (`.name` or `["name"]`) or an array (`[index]`, from 0). Parsed once
/// when `vendors.yaml` is loaded; immutable.
package struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    package enum Step: Sendable, Hashable {
        case member(String)
        case index(Int)
    }

    /// Never empty; the first step is a member.
    package let steps: [Step]
    /// As written in `vendors.yaml`.
    package let description: String

    /// Throws the reason (a phrase) when `text` is not a path.
    package init(_ text: String) throws(FieldPathError) {
        description = text
        let bytes = Array(text.utf8)
        var steps: [Step] = []
        var i = 0
        func name() -> String {
            let start = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "."), bytes[i] != UInt8(ascii: "[") { i += 1 }
            return String(decoding: bytes[start..<i], as: UTF8.self)
        }
        if i < bytes.count, bytes[i] != UInt8(ascii: "[") {
            steps.append(.member(name()))
        }
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: ".") {
                i += 1
                let n = name()
                guard !n.isEmpty else { throw FieldPathError("has an empty name after '.'") }
                steps.append(.member(n))
                continue
            }
            // '['
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "\"") { i += 1 }
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "]") else {
                    throw FieldPathError("has a quoted name without its closing '\"]'")
                }
                steps.append(.member(String(decoding: bytes[start..<i], as: UTF8.self)))
                i += 2
            } else {
                let start = i
                while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
                guard i > start, i - start <= 9, i < bytes.count, bytes[i] == UInt8(ascii: "]") else {
                    throw FieldPathError("has a '[' that is not followed by an index and ']' (write [0] or [\"name\"])")
                }
                steps.append(.index(Int(String(decoding: bytes[start..<i], as: UTF8.self))!))
                i += 1
            }
            if i < bytes.count, bytes[i] != UInt8(ascii: "."), bytes[i] != UInt8(ascii: "[") {
                throw FieldPathError("has text right after ']' (use '.' before a name)")
            }
        }
        guard let first = steps.first else { throw FieldPathError("is empty") }
        guard case .member(let top) = first, !top.isEmpty else {
            throw FieldPathError("must start with the name of a top-level member")
        }
        self.steps = steps
    }

    /// The top-level member the path starts at.
    package var top: String {
        guard case .member(let name) = steps[0] else { preconditionFailure("a path starts with a member") }
        return name
    }

    /// The value at this path in `record`; nil when a step is missing or the value on
    /// the way is not the object or array the step needs.
    package func resolve(in record: VendorRecord) -> JSONValue? {
        guard var value = record[top] else { return nil }
        for step in steps.dropFirst() {
            switch (step, value) {
            case (.member(let name), .object(let object)):
                guard let next = object[name] else { return nil }
                value = next
            case (.index(let index), .array(let array)):
                guard index < array.count else { return nil }
                value = array[index]
            default:
                return nil
            }
        }
        return value
    }
}

/// Why a field path cannot be read: a phrase completing "field path 'x' …".
package struct FieldPathError: Error {
    package var reason: String
    package init(_ reason: String) { self.reason = reason }
}

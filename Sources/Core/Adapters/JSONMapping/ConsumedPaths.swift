/// The parts of a JSON body that mappings, `identity` and `drop` consume, as a tree,
/// so `keep_unmapped` keeps exactly the rest.
///
/// A member whose whole value is consumed is left out of `fields`; one only partly
/// consumed (`contact.email` mapped, `contact.middle_name` not) is kept without the
/// consumed parts, so no vendor value is lost and none is stored twice. Consumed array
/// elements are removed and the others keep their order. Immutable once built.
package struct ConsumedPaths: Sendable {
    private var whole = false
    private var members: [String: ConsumedPaths] = [:]
    private var indices: [Int: ConsumedPaths] = [:]

    package init(_ paths: [FieldPath]) {
        for path in paths { insert(path.steps[...]) }
    }

    private init() {}

    private mutating func insert(_ steps: ArraySlice<FieldPath.Step>) {
        guard let first = steps.first else {
            whole = true
            return
        }
        switch first {
        case .member(let name): members[name, default: ConsumedPaths()].insert(steps.dropFirst())
        case .index(let index): indices[index, default: ConsumedPaths()].insert(steps.dropFirst())
        }
    }

    /// The top-level member `name` with value `value` as kept: nil when nothing is left.
    package func remainder(ofMember name: String, _ value: JSONValue) -> JSONValue? {
        guard let sub = members[name] else { return value }
        return sub.remainder(value)
    }

    private func remainder(_ value: JSONValue) -> JSONValue? {
        if whole { return nil }
        switch value {
        case .object(let object) where !members.isEmpty:
            var out = object
            for (name, sub) in members {
                if let v = object[name] { out[name] = sub.remainder(v) }
            }
            return out.isEmpty ? nil : .object(out)
        case .array(let array) where !indices.isEmpty:
            var out: [JSONValue] = []
            for (i, v) in array.enumerated() {
                if let sub = indices[i] {
                    if let r = sub.remainder(v) { out.append(r) }
                } else {
                    out.append(v)
                }
            }
            return out.isEmpty ? nil : .array(out)
        default:
            // The path expected a deeper structure than the body has: nothing was read.
            return value
        }
    }
}

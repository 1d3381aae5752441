/// Request header fields in arrival order, looked up case-insensitively.
///
/// `headers["content-type"]` finds `Content-Type`; when a name repeats, the first
/// occurrence wins (use `all` to see every field). A value type: safe to share.
public struct HTTPHeaders: Sendable {
    /// Every field as received (`name`, `value`), in order.
    public var all: [(String, String)]

    /// Wraps fields as received.
    public init(_ all: [(String, String)] = []) { self.all = all }

    /// The first value of the field called `name` (ASCII case-insensitive), or nil.
    public subscript(name: String) -> String? {
        for (key, value) in all where key.utf8.count == name.utf8.count && Self.equalsIgnoringCase(key, name) {
            return value
        }
        return nil
    }

    private static func equalsIgnoringCase(_ a: String, _ b: String) -> Bool {
        // Header names are ASCII tokens: fold bytes, no Unicode case mapping per lookup.
        for (x, y) in zip(a.utf8, b.utf8) where x != y {
            let lx = x | 0x20
            guard lx == (y | 0x20), lx >= UInt8(ascii: "a"), lx <= UInt8(ascii: "z") else { return false }
        }
        return true
    }
}

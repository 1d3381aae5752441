/// A place in a human-written file, 1-based, for error messages (`vendors.yaml:12:7`).
public struct SourceMark: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// The small value tree a YAML document parses into (stage one of two), every node
/// carrying where it was written. Typed models (``VendorConfig``) are read from it.
public indirect enum YAMLNode: Sendable, Hashable {
    /// A scalar as written; `quoted` when the author put it in quotes (then `yes` is text).
    case scalar(String, quoted: Bool, mark: SourceMark)
    case sequence([YAMLNode], mark: SourceMark)
    /// Members in document order; keys are scalars.
    case mapping([YAMLMember], mark: SourceMark)

    public var mark: SourceMark {
        switch self {
        case .scalar(_, _, let m), .sequence(_, let m), .mapping(_, let m): return m
        }
    }

    /// What kind of node this is, for "expected a mapping, found a sequence".
    public var kindName: String {
        switch self {
        case .scalar: return "a scalar"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}

/// One `key: value` member of a YAML mapping.
public struct YAMLMember: Sendable, Hashable {
    public var key: String
    public var keyMark: SourceMark
    public var value: YAMLNode
    public init(key: String, keyMark: SourceMark, value: YAMLNode) {
        self.key = key
        self.keyMark = keyMark
        self.value = value
    }
}
